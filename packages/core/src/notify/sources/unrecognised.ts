import { alarmLink } from "../links";
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
  // What the event is about, when that much can be read: on-call looks at the thing itself, not at the JSON.
  const detail = (typeof envelope.detail === "object" && envelope.detail !== null ? envelope.detail : {}) as Record<string, unknown>;
  const alarmName = typeof detail.alarmName === "string" && detail.alarmName ? detail.alarmName : null;
  const region = typeof envelope.region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(envelope.region) ? envelope.region : null;
  const about = alarmName ? `alarm ${alarmName}` : detailType;
  const message: OpsMessage = {
    severity: "warning",
    stage: context.stage,
    service: context.service,
    title: `Could not read an event about ${about}`.slice(0, 140),
    summary: `The notifier could not read this ${detailType} event (${reason}), so the automation did not act on it. It is shown here so that nothing is lost.`,
    facts: [
      ...(alarmName ? [{ label: "Alarm", value: alarmName.slice(0, 2000) }] : []),
      { label: "Source", value: source.slice(0, 2000) },
      { label: "Event id", value: id.slice(0, 2000) },
    ],
    links: alarmName && region ? [alarmLink(region, alarmName)] : [],
    actionsTaken: [],
    nextStep: alarmName
      ? `Open alarm ${alarmName} and check its state yourself: nothing automatic happened for this event. Then tell the platform team it could not be read.`
      : "Check the thing this event is about in the AWS console yourself: nothing automatic happened for it. Then tell the platform team it could not be read.",
    excerpt: excerptOf(event),
    occurredAt: time,
    timeZone: context.timeZone,
    account: typeof envelope.account === "string" && envelope.account ? envelope.account : null,
    source: { kind: "unrecognised", eventId: id, detailType },
    thread: null,
    incident: null,
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
