import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CollapseTrail } from "../notify/collapse";
import type { NotifyStore, SlackRef } from "../notify/ports";

const DAY_SECONDS = 24 * 60 * 60;
/** A release thread stays addressable for a month (rollbacks of old releases still reply to it). */
const THREAD_DAYS = 30;
/** A collapse trail only matters within its window (at most a day); a week leaves room. */
const TRAIL_DAYS = 7;

const threadKey = (deploymentId: string) => ({ pk: `notify#thread#${deploymentId}`, sk: "slack" });
const trailKey = (key: string) => ({ pk: `notify#collapse#${key}`, sk: "trail" });

/** Release threads and collapse trails in the automation's state table, written with conditions so concurrent deliveries agree. */
export function dynamoNotifyStore(tableName: string, client: DynamoDBClient, now: () => Date = () => new Date()): NotifyStore {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const expiresAt = (days: number) => Math.floor(now().getTime() / 1000) + days * DAY_SECONDS;

  return {
    async thread(deploymentId) {
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: threadKey(deploymentId), ConsistentRead: true }));
      return Item ? { channel: String(Item.channel), ts: String(Item.ts), routedTo: String(Item.routedTo) } : undefined;
    },

    async claimThread(deploymentId, parent) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...threadKey(deploymentId), ...parent, expiresAt: expiresAt(THREAD_DAYS) },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return parent;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const winner = await this.thread(deploymentId);
        if (!winner) throw new Error(`The thread of ${deploymentId} exists and vanished while being read`);
        return winner;
      }
    },

    async trail(key) {
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: trailKey(key), ConsistentRead: true }));
      if (!Item) return undefined;
      return {
        key,
        history: Item.history,
        message: Item.message ?? null,
        version: Item.version,
        ...(Item.told ? { told: Item.told } : {}),
      } as CollapseTrail;
    },

    async saveTrail(trail, expectedVersion) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...trailKey(trail.key),
              history: trail.history,
              message: trail.message,
              version: trail.version,
              told: trail.told,
              expiresAt: expiresAt(TRAIL_DAYS),
            },
            ConditionExpression: expectedVersion === undefined ? "attribute_not_exists(pk)" : "version = :expected",
            ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ":expected": expectedVersion },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async attachMessage(key, message: SlackRef) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: trailKey(key),
            UpdateExpression: "SET message = :message",
            // The first poster wins; a trail that expired meanwhile is not brought back.
            ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(message) OR message = :none)",
            ExpressionAttributeValues: { ":message": message, ":none": null },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
