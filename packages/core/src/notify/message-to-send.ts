import { enrich, isSteadyState, type Warn } from "./enrich";
import type { NotifyEnvironment } from "./environment";
import type { OpsMessage } from "./message";
import { normalize } from "./normalize";
import type { DeliveryPorts, NotifyDependencies } from "./ports";

/** What an event comes to: a message and the ports that deliver it, or why it needs none (and which event it was). */
export type MessageToSend = { message: OpsMessage; ports: DeliveryPorts } | { ignored: string; eventId: string };

/**
 * The message an event becomes, with what only AWS can say now, or why it needs none. The delivery ports load only
 * once the event is known to be one worth a message: the many events that are not (a task RUNNING) never wait for them.
 */
export async function messageToSend(
  event: unknown,
  env: NotifyEnvironment,
  dependencies: NotifyDependencies,
  warn: Warn,
): Promise<MessageToSend> {
  const normalized = normalize(event, env.context);
  if (normalized.kind === "ignored") return { ignored: normalized.reason, eventId: eventIdOf(event) };
  const ports = await dependencies.ports();
  const message = await enrich(normalized.message, event, env, dependencies, ports.store, warn);
  const needless = whyNoMessage(message);
  return needless ? { ignored: needless, eventId: message.source.eventId } : { message, ports };
}

/** Why an enriched message is not worth sending (undefined: it is): a steady service heard of by no open incident. */
export function whyNoMessage(message: OpsMessage): string | undefined {
  return isSteadyState(message) && !message.incident ? "the service is steady and has no open incident" : undefined;
}

/** The id of an event that became no message, for the log; one without an id says so. */
function eventIdOf(event: unknown): string {
  const id = typeof event === "object" && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : "(no id)";
}
