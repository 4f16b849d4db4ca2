import { incidentView } from "../notify/incident";
import type { NotifyStore, SlackPort } from "../notify/ports";
import { renderSlack } from "../notify/render/slack";
import type { AcceptedClick } from "./accept";
import { audit, type ChatOpsAudit } from "./audit";
import { incidentLiveness } from "./live";

/**
 * "Acknowledge": a person takes the incident. The incident's record says who
 * and when (so its returns after an end page no one), its Slack message shows
 * it in place of the button, and the audit trail keeps the click. Only an
 * open incident is taken: one that has ended is left as it is, so that its
 * return still pages.
 */

export interface AcknowledgePorts {
  store: NotifyStore;
  slack: SlackPort | null;
  audit: ChatOpsAudit;
}

/** "not done: …" when the incident has ended meanwhile (chatops/live.ts): nothing is written. */
export type AcknowledgeOutcome = "acknowledged" | "already acknowledged" | `not done: ${string}`;

const ATTEMPTS = 5;

export async function acknowledge(click: AcceptedClick, ports: AcknowledgePorts): Promise<AcknowledgeOutcome> {
  const outcome = await markAcknowledged(click, ports.store);
  await audit(click, ports.audit, outcome);
  if (outcome === "acknowledged") await refreshMessage(click.ticket.subject, ports);
  return outcome;
}

/** The incident's Slack message shown again from its record (who took it, its buttons). */
export async function refreshMessage(incidentKey: string, ports: Pick<AcknowledgePorts, "store" | "slack">) {
  if (!ports.slack) return;
  const record = await ports.store.incident(incidentKey);
  if (record?.message) await ports.slack.update(record.message, renderSlack(incidentView(record), { history: record.history }));
}

export async function markAcknowledged(click: AcceptedClick, store: NotifyStore): Promise<AcknowledgeOutcome> {
  // A Do it names its step's alarm, which may have joined an incident another signal opened.
  const key = (await store.memberOf(click.ticket.subject)) ?? click.ticket.subject;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await store.incident(key);
    if (record?.acknowledged) return "already acknowledged";
    // Checked on the version it writes over: an end that lands after the endpoint's check still wins.
    const present = incidentLiveness(click.ticket, record, new Date(click.at));
    if (!present.live) return `not done: ${present.reason}`;
    const { version } = present.record;
    const next = { ...present.record, acknowledged: { by: click.userId, name: click.userName, at: click.at }, version: version + 1 };
    if (await store.saveIncident(next, version)) return "acknowledged";
  }
  throw new Error(`The incident ${click.ticket.subject} changed under ${ATTEMPTS} attempts in a row`);
}
