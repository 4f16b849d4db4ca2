import type { IncidentRecord, SlackRef } from "../notify/incident";
import type { NotifyStore } from "../notify/ports";
import { isConditionFailed, type StateTableClient, stateTableDocuments } from "./state-table";

const DAY_SECONDS = 24 * 60 * 60;
/** A release thread stays addressable for a month (rollbacks of old releases still reply to it). */
const THREAD_DAYS = 30;
/** An incident stays open until its end arrives; a month covers the longest a stage has stayed in ALARM unattended. */
const INCIDENT_DAYS = 30;

const threadKey = (deploymentId: string) => ({ pk: `notify#thread#${deploymentId}`, sk: "slack" });
const incidentKey = (key: string) => ({ pk: `notify#incident#${key}`, sk: "record" });
const deploymentLinkKey = (deploymentId: string) => ({ pk: `notify#deployment#${deploymentId}`, sk: "incident" });
const memberKey = (member: string) => ({ pk: `notify#member#${member}`, sk: "incident" });
const latestKey = (service: string) => ({ pk: `notify#service#${service}`, sk: "latest" });

/** Release threads, incidents and the deployments they concern, in the automation's state table, written with conditions so concurrent deliveries agree. */
export function dynamoNotifyStore(tableName: string, client: StateTableClient, now: () => Date = () => new Date()): NotifyStore {
  const documents = stateTableDocuments(client);
  const expiresAt = (days: number) => Math.floor(now().getTime() / 1000) + days * DAY_SECONDS;

  return {
    async thread(deploymentId) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: threadKey(deploymentId), ConsistentRead: true });
      return Item ? { channel: String(Item.channel), ts: String(Item.ts), routedTo: String(Item.routedTo) } : undefined;
    },

    async claimThread(deploymentId, parent) {
      try {
        await (await documents()).put({
          TableName: tableName,
          Item: { ...threadKey(deploymentId), ...parent, expiresAt: expiresAt(THREAD_DAYS) },
          ConditionExpression: "attribute_not_exists(pk)",
        });
        return parent;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const winner = await this.thread(deploymentId);
        if (!winner) throw new Error(`The thread of ${deploymentId} exists and vanished while being read`);
        return winner;
      }
    },

    async incident(key) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: incidentKey(key), ConsistentRead: true });
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...record } = Item;
      return { ...record, message: record.message ?? null } as IncidentRecord;
    },

    async saveIncident(record, expectedVersion) {
      try {
        await (await documents()).put({
          TableName: tableName,
          Item: { ...record, ...incidentKey(record.key), expiresAt: expiresAt(INCIDENT_DAYS) },
          ConditionExpression: expectedVersion === undefined ? "attribute_not_exists(pk)" : "version = :expected",
          ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ":expected": expectedVersion },
        });
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async linkDeployment(deploymentId, link) {
      await (await documents())
        .put({
          TableName: tableName,
          Item: { ...deploymentLinkKey(deploymentId), ...link, expiresAt: expiresAt(INCIDENT_DAYS) },
          // The first incident to claim a deployment keeps it: its rollback is that incident's story.
          ConditionExpression: "attribute_not_exists(pk)",
        })
        .catch((error: unknown) => {
          if (!isConditionFailed(error)) throw error;
        });
    },

    async deploymentLink(deploymentId) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: deploymentLinkKey(deploymentId), ConsistentRead: true });
      return Item ? { key: String(Item.key), part: Item.part } : undefined;
    },

    async memberOf(member) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: memberKey(member), ConsistentRead: true });
      return Item ? String(Item.key) : undefined;
    },

    async joinMember(member, key) {
      await (await documents()).put({ TableName: tableName, Item: { ...memberKey(member), key, expiresAt: expiresAt(INCIDENT_DAYS) } });
    },

    async latestOf(service) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: latestKey(service), ConsistentRead: true });
      return Item ? String(Item.key) : undefined;
    },

    async claimLatest(service, key, expected) {
      try {
        await (await documents()).put({
          TableName: tableName,
          Item: { ...latestKey(service), key, expiresAt: expiresAt(INCIDENT_DAYS) },
          // Two signals of one cause arriving together: one opens the incident, the other finds it and joins.
          ConditionExpression: expected === undefined ? "attribute_not_exists(pk)" : "#key = :expected",
          ExpressionAttributeNames: expected === undefined ? undefined : { "#key": "key" },
          ExpressionAttributeValues: expected === undefined ? undefined : { ":expected": expected },
        });
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async attachMessage(key, message: SlackRef) {
      try {
        await (await documents()).update({
          TableName: tableName,
          Key: incidentKey(key),
          UpdateExpression: "SET message = :message",
          // The first poster wins; an incident that expired meanwhile is not brought back.
          ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(message) OR message = :none)",
          ExpressionAttributeValues: { ":message": message, ":none": null },
        });
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
}
