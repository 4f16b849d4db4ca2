import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { PROD_CONTEXT } from "./context";

/** The message prod's notifier makes of an event; throws when it ignores the event. */
export function messageOf(event: unknown): OpsMessage {
  const normalized = normalize(event, PROD_CONTEXT);
  if (normalized.kind !== "message") throw new Error(normalized.reason);
  return normalized.message;
}
