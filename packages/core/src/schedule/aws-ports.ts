import type { Clients } from "../aws/clients";
import { noticesOnFirstUse, stateTableOnFirstUse } from "../aws/on-first-use";
import { onFirstCall } from "../lazy";
import type { ScheduleEnvironment } from "./environment";
import type { SchedulePorts } from "./ports";

/** The AWS adapters, each loaded at its first call: a refused or rejected event loads none. Given clients (the console's) are used instead of their own. */
export function awsPorts(env: ScheduleEnvironment, functionArn: string, clients: Clients = {}) {
  const { client: stateTable, once } = stateTableOnFirstUse(env.tableName, "schedule", clients);
  const notices = noticesOnFirstUse(clients);
  const { databaseInstance } = env;
  const ports: SchedulePorts = {
    stage: onFirstCall(async () =>
      (await import("./aws-stage-capacity")).ecsStageCapacity(env.service, clients.ecs, clients.applicationAutoScaling),
    ),
    database: databaseInstance
      ? onFirstCall(async () => (await import("./aws-database-power")).rdsDatabasePower(databaseInstance, clients.rds))
      : null,
    canary: env.canaryName
      ? onFirstCall(async () => (await import("./aws-canary-power")).syntheticsCanary(env.canaryName as string, clients.synthetics))
      : null,
    ledger: onFirstCall(async () =>
      (await import("./aws-sleep-ledger")).dynamoSleepLedger(env.tableName, env.config.stage, await stateTable()),
    ),
    rechecks: onFirstCall(async () =>
      (await import("./aws-recheck-schedules")).schedulerRechecks({ ...env.rechecks, functionArn }, clients.scheduler),
    ),
    notify: (notice) => notices.send(notice),
  };
  return { once, ports };
}
