import { isConditionFailed, type StateTableClient, stateTableDocuments } from "../aws/state-table";
import type { ClaimedAction, RollbackLedgerPort } from "./ports";

const DAY_SECONDS = 24 * 60 * 60;
/** The audit trail is kept for 90 days. */
const AUDIT_DAYS = 90;

/** The rollback's memory in the state table: claims (conditional writes), the rollbacks started, and the audit trail. */
export function dynamoRollbackLedger(tableName: string, stage: string, client: StateTableClient): RollbackLedgerPort {
  const documents = stateTableDocuments(client);
  const expires = (at: Date, days: number) => Math.floor(at.getTime() / 1000) + days * DAY_SECONDS;
  const actions = `rollback#${stage}#actions`;
  // Dry-run claims apart: a rehearsal never takes the claim a real rollback needs.
  // A redeploy's key is the one it always had, so that claims made before stops were claimed still hold.
  const claimKey = (badDeploymentId: string, dryRun = false, action: ClaimedAction = "redeploy") => ({
    pk: `rollback#${stage}#claim#${dryRun ? "dry-run#" : ""}${action === "stop" ? "stop#" : ""}${badDeploymentId}`,
    sk: "claim",
  });
  const auditPk = `audit#rollback#${stage}`;

  return {
    async recentRollbacks(since) {
      const { Items } = await (await documents()).query({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk >= :since",
        ExpressionAttributeValues: { ":pk": actions, ":since": since.toISOString() },
        ScanIndexForward: false,
      });
      return (Items ?? []).map((item) => ({
        badDeploymentId: String(item.badDeploymentId),
        at: new Date(String(item.at)),
        ...(item.dryRun ? { dryRun: true } : {}),
      }));
    },
    async claim(badDeploymentId, at, dryRun = false, action = "redeploy") {
      try {
        await (await documents()).put({
          TableName: tableName,
          Item: { ...claimKey(badDeploymentId, dryRun, action), at: at.toISOString(), expiresAt: expires(at, AUDIT_DAYS) },
          ConditionExpression: "attribute_not_exists(pk)",
        });
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },
    async release(badDeploymentId, action = "redeploy") {
      await (await documents()).delete({ TableName: tableName, Key: claimKey(badDeploymentId, false, action) });
    },
    async recordRollback(badDeploymentId, rollbackDeploymentId, at) {
      await (await documents()).put({
        TableName: tableName,
        Item: {
          pk: actions,
          sk: `${at.toISOString()}#${badDeploymentId}`,
          at: at.toISOString(),
          badDeploymentId,
          ...(rollbackDeploymentId ? { rollbackDeploymentId } : { dryRun: true }),
          expiresAt: expires(at, AUDIT_DAYS),
        },
      });
    },
    async audit(record) {
      await (await documents()).put({
        TableName: tableName,
        Item: {
          pk: auditPk,
          sk: `${record.at.toISOString()}#${record.eventId}`,
          ...record,
          at: record.at.toISOString(),
          expiresAt: expires(record.at, AUDIT_DAYS),
        },
      });
    },
    async trail(limit) {
      const { Items } = await (await documents()).query({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": auditPk },
        ScanIndexForward: false,
        Limit: limit,
      });
      return (Items ?? []).map((item) => ({
        eventId: String(item.eventId),
        at: new Date(String(item.at)),
        alarmName: String(item.alarmName),
        decision: item.decision as object,
        outcome: String(item.outcome),
      }));
    },
  };
}
