import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadOnce, type OnceInInvocation, onceOnFirstRun, onFirstCall } from "../lazy";
import type { Clients } from "./clients";
import type { NoticePort } from "./notices";

/**
 * The adapters several functions share, each loaded at its first use
 * (see ../lazy.ts): nothing here imports an SDK client until it is called.
 */

/** The state table's client, shared by a function's adapters, and Powertools idempotency in it under `scope`. */
export function stateTableOnFirstUse(
  tableName: string,
  scope: string,
  clients: Clients = {},
): { client: () => Promise<DynamoDBClient>; once: OnceInInvocation } {
  const client = loadOnce(async () => clients.dynamoDB ?? (await import("./clients")).stateTableClient());
  const once = onceOnFirstRun(async () => (await import("./idempotency")).idempotentOnce(tableName, scope, await client()));
  return { client, once };
}

/** What a function tells on-call, through EventBridge. */
export function noticesOnFirstUse(clients: Clients = {}): NoticePort {
  return onFirstCall(async () => (await import("./notices")).eventBridgeNotices(clients.eventBridge));
}
