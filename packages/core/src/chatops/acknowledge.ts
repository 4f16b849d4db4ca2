import { incidentView } from "../notify/incident";
import type { NotifyStore, SlackPort } from "../notify/ports";
import { renderSlack } from "../notify/render/slack";
import type { AcceptedClick } from "./accept";

/**
 * "Acknowledge": a person takes the incident. The incident's record says who
 * and when (so its returns after an end page no one), its Slack message shows
 * it in place of the button, and the audit trail keeps the click.
 */

export interface ChatOpsAuditEntry {
  at: string;
  stage: string;
  userId: string;
  userName: string;
  action: string;
  incidentKey: string;
  outcome: string;
}

export interface ChatOpsAudit {
  record(entry: ChatOpsAuditEntry): Promise<void>;
  trail(limit: number): Promise<ChatOpsAuditEntry[]>;
}

export interface AcknowledgePorts {
  store: NotifyStore;
  slack: SlackPort | null;
  audit: ChatOpsAudit;
}

export type AcknowledgeOutcome = "acknowledged" | "already acknowledged" | "incident no longer known";

const ATTEMPTS = 5;

export async function acknowledge(click: AcceptedClick, ports: AcknowledgePorts): Promise<AcknowledgeOutcome> {
  const outcome = await markAcknowledged(click, ports.store);
  await audit(click, ports.audit, outcome);
  if (outcome === "acknowledged") await refreshMessage(click.ticket.incidentKey, ports);
  return outcome;
}

export function audit(click: AcceptedClick, trail: ChatOpsAudit, outcome: string) {
  const { incidentKey, stage, action } = click.ticket;
  return trail.record({ at: click.at, stage, userId: click.userId, userName: click.userName, action, incidentKey, outcome });
}

/** The incident's Slack message shown again from its record (who took it, its buttons). */
export async function refreshMessage(incidentKey: string, ports: Pick<AcknowledgePorts, "store" | "slack">) {
  if (!ports.slack) return;
  const record = await ports.store.incident(incidentKey);
  if (record?.message) await ports.slack.update(record.message, renderSlack(incidentView(record), { history: record.history }));
}

export async function markAcknowledged(click: AcceptedClick, store: NotifyStore): Promise<AcknowledgeOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await store.incident(click.ticket.incidentKey);
    if (!record) return "incident no longer known";
    if (record.acknowledged) return "already acknowledged";
    const next = { ...record, acknowledged: { by: click.userId, name: click.userName, at: click.at }, version: record.version + 1 };
    if (await store.saveIncident(next, record.version)) return "acknowledged";
  }
  throw new Error(`The incident ${click.ticket.incidentKey} changed under ${ATTEMPTS} attempts in a row`);
}
