import type { ChatOpsAudit, ChatOpsAuditEntry } from "../chatops/audit";
import type { Ticket, TicketStore } from "../chatops/tickets";
import { isConditionFailed, type StateTableClient, stateTableDocuments } from "./state-table";

/** The audit trail of clicks is kept as long as the rollback's: 90 days. */
const AUDIT_DAYS = 90;

const ticketKey = (id: string) => ({ pk: `chatops#ticket#${id}`, sk: "ticket" });
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Buttons' tickets in the state table: they expire with the button (TTL), and are used once (a conditional write);
 * a use whose click could not be queued is given back (a conditional remove of that use only).
 */
export function dynamoTicketStore(tableName: string, client: StateTableClient): TicketStore {
  const documents = stateTableDocuments(client);
  return {
    async issue(ticket) {
      await (await documents()).put({
        TableName: tableName,
        Item: { ...ticketKey(ticket.id), ticket, expiresAt: epochSeconds(ticket.expiresAt) },
        ConditionExpression: "attribute_not_exists(pk)",
      });
    },

    async ticket(id) {
      const { Item } = await (await documents()).get({ TableName: tableName, Key: ticketKey(id), ConsistentRead: true });
      return Item ? ({ ...Item.ticket, ...(Item.used ? { used: Item.used } : {}) } as Ticket) : undefined;
    },

    async use(id, by, at) {
      try {
        await (await documents()).update({
          TableName: tableName,
          Key: ticketKey(id),
          UpdateExpression: "SET used = :used",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(used)",
          ExpressionAttributeValues: { ":used": { by, at } },
        });
        return { first: true };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const used = (await this.ticket(id))?.used;
        if (!used) throw new Error(`The ticket ${id} vanished while being used`);
        return { first: false, used };
      }
    },

    async giveBack(id, used) {
      try {
        await (await documents()).update({
          TableName: tableName,
          Key: ticketKey(id),
          UpdateExpression: "REMOVE used",
          // Only this use: if another press has used the ticket since, that use stands.
          ConditionExpression: "used.#by = :by AND used.#at = :at",
          ExpressionAttributeNames: { "#by": "by", "#at": "at" },
          ExpressionAttributeValues: { ":by": used.by, ":at": used.at },
        });
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
}

export function dynamoChatOpsAudit(tableName: string, stage: string, client: StateTableClient): ChatOpsAudit {
  const documents = stateTableDocuments(client);
  const pk = `audit#chatops#${stage}`;
  return {
    async record(entry) {
      await (await documents()).put({
        TableName: tableName,
        Item: { pk, sk: `${entry.at}#${entry.userId}`, entry, expiresAt: epochSeconds(entry.at) + AUDIT_DAYS * 86_400 },
      });
    },
    async trail(limit) {
      const { Items } = await (await documents()).query({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        ScanIndexForward: false,
        Limit: limit,
      });
      return (Items ?? []).map((item) => item.entry as ChatOpsAuditEntry);
    },
  };
}
