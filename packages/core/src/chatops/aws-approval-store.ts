import { isConditionFailed, type StateTableClient, stateTableDocuments } from "../aws/state-table";
import type { ApprovalRecord, ApprovalStore } from "./approval";

/** Kept a week after the deadline, long enough to read what was decided (`npm run ops -- audit` keeps the clicks). */
const KEEP_DAYS = 7;

const approvalKey = (deploymentId: string) => ({ pk: `chatops#approval#${deploymentId}`, sk: "approval" });

/** A release's approval gate in the state table: opened once, decided once (conditional writes). */
export function dynamoApprovals(tableName: string, client: StateTableClient): ApprovalStore {
  const documents = stateTableDocuments(client);
  const conditional = async (write: () => Promise<unknown>) => {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  };
  return {
    open: (record) =>
      conditional(async () =>
        (await documents()).put({
          TableName: tableName,
          Item: {
            ...approvalKey(record.deploymentId),
            record,
            expiresAt: Math.floor(Date.parse(record.deadline) / 1000) + KEEP_DAYS * 86_400,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),

    async get(deploymentId) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: approvalKey(deploymentId), ConsistentRead: true });
      if (!Item) return undefined;
      return {
        ...Item.record,
        ...(Item.decided ? { decided: Item.decided } : {}),
        ...(Item.reported ? { reported: true } : {}),
      } as ApprovalRecord;
    },

    decide: (deploymentId, decided) =>
      conditional(async () =>
        (await documents()).update({
          TableName: tableName,
          Key: approvalKey(deploymentId),
          UpdateExpression: "SET decided = :decided",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(decided)",
          ExpressionAttributeValues: { ":decided": decided },
        }),
      ),

    claimReport: (deploymentId, at, staleBefore) =>
      conditional(async () =>
        (await documents()).update({
          TableName: tableName,
          Key: approvalKey(deploymentId),
          UpdateExpression: "SET reporting = :at",
          ConditionExpression:
            "attribute_exists(decided) AND attribute_not_exists(reported) AND (attribute_not_exists(reporting) OR reporting < :stale)",
          ExpressionAttributeValues: { ":at": at, ":stale": staleBefore },
        }),
      ),

    async markReported(deploymentId) {
      await (await documents()).update({
        TableName: tableName,
        Key: approvalKey(deploymentId),
        UpdateExpression: "SET reported = :yes",
        ExpressionAttributeValues: { ":yes": true },
      });
    },
  };
}
