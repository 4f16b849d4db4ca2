import type { Clients } from "../aws/clients";
import { noticesOnFirstUse, stateTableOnFirstUse } from "../aws/on-first-use";
import { onFirstCall } from "../lazy";
import type { RollbackEnvironment } from "./environment";
import type { RollbackPorts } from "./ports";

/**
 * The AWS adapters, each loaded at its first call: an alarm that cannot blame a release never loads CodeDeploy's (or
 * ECS's) client. Given clients (the console's) are used instead of the adapters' own.
 */
export function awsPorts(env: RollbackEnvironment, clients: Clients = {}) {
  const { client: stateTable, once } = stateTableOnFirstUse(env.tableName, "rollback", clients);
  const notices = noticesOnFirstUse(clients);
  const ports: RollbackPorts = {
    alarms: onFirstCall(async () => (await import("../aws/alarms")).cloudWatchAlarmState(clients.cloudWatch)),
    deployments: onFirstCall(async () => {
      const { target } = env;
      if (target.controller === "ecs") return (await import("./aws-ecs-rollbacks")).ecsRollbacks(target, clients.ecs);
      return (await import("./aws-codedeploy-rollbacks")).codeDeployRollbacks(target, clients.codeDeploy);
    }),
    ledger: onFirstCall(async () => (await import("./aws-ledger")).dynamoRollbackLedger(env.tableName, env.stage, await stateTable())),
    notify: (notice) => notices.send(notice),
  };
  return { once, ports };
}
