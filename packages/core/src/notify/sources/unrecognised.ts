import type { NotifyContext, OpsMessage } from "../message";
import type { Envelope, Normalized } from "./envelope";

const EXCERPT_CHARS = 1500;

/**
 * An event nobody could read is still shown to a person, with the reason and
 * an excerpt: the notifier never drops an event silently.
 */
export function unrecognised(event: unknown, context: NotifyContext, reason: string): Normalized {
  const envelope = (typeof event === "object" && event !== null ? event : {}) as Partial<Envelope>;
  const id = typeof envelope.id === "string" && envelope.id ? envelope.id : "(no id)";
  const detailType = typeof envelope["detail-type"] === "string" && envelope["detail-type"] ? envelope["detail-type"] : "(no detail-type)";
  const source = typeof envelope.source === "string" && envelope.source ? envelope.source : "(no source)";
  const time = typeof envelope.time === "string" && !Number.isNaN(Date.parse(envelope.time)) ? envelope.time : "(no time)";
  const message: OpsMessage = {
    severity: "warning",
    stage: context.stage,
    service: context.service,
    title: `Unrecognised event: ${detailType}`.slice(0, 140),
    summary: `The notifier could not read this event (${reason}). It is shown here so that nothing is lost.`,
    facts: [
      { label: "Source", value: source.slice(0, 2000) },
      { label: "Event id", value: id.slice(0, 2000) },
    ],
    links: [],
    actionsTaken: [],
    nextStep: "If this event matters, teach the notifier its shape (packages/core/src/notify/sources/).",
    excerpt: excerptOf(event),
    occurredAt: time,
    source: { kind: "unrecognised", eventId: id, detailType },
    thread: null,
    collapse: null,
    graph: null,
    rejection: reason,
  };
  return { kind: "message", message };
}

function excerptOf(event: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(event, null, 2) ?? String(event);
  } catch (error) {
    json = `(not serialisable: ${(error as Error).message})`;
  }
  return json.length > EXCERPT_CHARS ? `${json.slice(0, EXCERPT_CHARS)}\n… (${json.length - EXCERPT_CHARS} more characters)` : json;
}

/** "2019-10-02 17:04:40 UTC": one unambiguous zone for everyone reading at 3 a.m. */
export function formatTime(value: string): string {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(normalized);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
