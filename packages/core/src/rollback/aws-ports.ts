import { cloudWatchAlarmState } from "../aws/alarms";
import type { Clients } from "../aws/clients";
import { idempotentOnce } from "../aws/idempotency";
import { eventBridgeNotices } from "../aws/notices";
import { stateTable } from "../aws/state-table";
import { codeDeployRollbacks } from "./aws-codedeploy-rollbacks";
import { ecsRollbacks } from "./aws-ecs-rollbacks";
import { dynamoRollbackLedger } from "./aws-ledger";
import type { RollbackEnvironment } from "./environment";
import type { RollbackPorts } from "./ports";

/**
 * The AWS adapters; each loads its SDK client at its first call, so an alarm that cannot blame a release never
 * loads CodeDeploy's (or ECS's). Given clients (the console's) are used instead of the adapters' own.
 */
export function awsPorts(env: RollbackEnvironment, clients: Clients = {}) {
  const table = stateTable(clients);
  const notices = eventBridgeNotices(clients.eventBridge);
  const { target } = env;
  const ports: RollbackPorts = {
    alarms: cloudWatchAlarmState(clients.cloudWatch),
    deployments: target.controller === "ecs" ? ecsRollbacks(target, clients.ecs) : codeDeployRollbacks(target, clients.codeDeploy),
    ledger: dynamoRollbackLedger(env.tableName, env.stage, table),
    notify: (notice) => notices.send(notice),
  };
  return { once: idempotentOnce(env.tableName, "rollback", table), ports };
}
