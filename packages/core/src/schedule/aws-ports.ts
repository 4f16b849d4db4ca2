import type { Clients } from "../aws/clients";
import { idempotentOnce } from "../aws/idempotency";
import { eventBridgeNotices } from "../aws/notices";
import { stateTable } from "../aws/state-table";
import { syntheticsCanary } from "./aws-canary-power";
import { rdsDatabasePower } from "./aws-database-power";
import { schedulerRechecks } from "./aws-recheck-schedules";
import { dynamoSleepLedger } from "./aws-sleep-ledger";
import { ecsStageCapacity } from "./aws-stage-capacity";
import type { ScheduleEnvironment } from "./environment";
import type { SchedulePorts } from "./ports";

/** The AWS adapters; each loads its SDK client at its first call, so a refused or rejected event loads none. Given clients (the console's) are used instead of their own. */
export function awsPorts(env: ScheduleEnvironment, functionArn: string, clients: Clients = {}) {
  const table = stateTable(clients);
  const notices = eventBridgeNotices(clients.eventBridge);
  const ports: SchedulePorts = {
    stage: ecsStageCapacity(env.service, clients.ecs, clients.applicationAutoScaling),
    database: env.databaseInstance ? rdsDatabasePower(env.databaseInstance, clients.rds) : null,
    canary: env.canaryName ? syntheticsCanary(env.canaryName, clients.synthetics) : null,
    ledger: dynamoSleepLedger(env.tableName, env.config.stage, table),
    rechecks: schedulerRechecks({ ...env.rechecks, functionArn }, clients.scheduler),
    notify: (notice) => notices.send(notice),
  };
  return { once: idempotentOnce(env.tableName, "schedule", table), ports };
}
