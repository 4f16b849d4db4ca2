import { isConditionFailed, type StateTableClient, stateTableDocuments } from "../aws/state-table";
import type { SleepRecord } from "./plan";
import type { SleepLedgerPort } from "./ports";

/** Nights are kept long enough for the weekly summary and a look back. */
const NIGHT_DAYS = 90;

/** The schedule's memory in the state table: the state recorded at sleep (one item, conditional write) and the nights slept. */
export function dynamoSleepLedger(tableName: string, stage: string, client: StateTableClient): SleepLedgerPort {
  const documents = stateTableDocuments(client);
  const recordKey = { pk: `schedule#${stage}`, sk: "asleep" };
  const nightsPk = `schedule#${stage}#nights`;

  return {
    async current() {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: recordKey, ConsistentRead: true });
      if (!Item) return null;
      // The synthetic user's state too: wake starts it again only if the record says it was running. A record
      // written before workers slept has no workers: each then wakes with its defaults (plan.ts).
      return {
        capacity: Item.capacity,
        ...(Item.workers ? { workers: Item.workers } : {}),
        database: Item.database,
        sleptAt: Item.sleptAt,
        ...(Item.canary ? { canary: Item.canary } : {}),
      } as SleepRecord;
    },
    async record(record) {
      try {
        await (await documents()).put({
          TableName: tableName,
          Item: { ...recordKey, ...record },
          ConditionExpression: "attribute_not_exists(pk)",
        });
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },
    async forget() {
      await (await documents()).delete({ TableName: tableName, Key: recordKey });
    },
    async addNight(night) {
      await (await documents()).put({
        TableName: tableName,
        Item: {
          pk: nightsPk,
          sk: night.wokeAt.toISOString(),
          sleptAt: night.sleptAt.toISOString(),
          wokeAt: night.wokeAt.toISOString(),
          saved: night.saved,
          expiresAt: Math.floor(night.wokeAt.getTime() / 1000) + NIGHT_DAYS * 86_400,
        },
      });
    },
    async nights(since) {
      const { Items } = await (await documents()).query({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk >= :since",
        ExpressionAttributeValues: { ":pk": nightsPk, ":since": since.toISOString() },
      });
      return (Items ?? []).map((item) => ({
        sleptAt: new Date(String(item.sleptAt)),
        wokeAt: new Date(String(item.wokeAt)),
        saved: Number(item.saved),
      }));
    },
  };
}
