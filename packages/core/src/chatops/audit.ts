import type { AcceptedClick } from "./accept";

/** Every carried-out click, kept for `npm run ops -- audit`: who pressed what, on what, when, and what came of it. */
export interface ChatOpsAuditEntry {
  at: string;
  stage: string;
  userId: string;
  userName: string;
  action: string;
  /** What the button acted on (chatops/tickets.ts subjects). */
  subject: string;
  outcome: string;
}

export interface ChatOpsAudit {
  record(entry: ChatOpsAuditEntry): Promise<void>;
  trail(limit: number): Promise<ChatOpsAuditEntry[]>;
}

export function audit(click: AcceptedClick, trail: ChatOpsAudit, outcome: string) {
  const { subject, stage, action } = click.ticket;
  return trail.record({ at: click.at, stage, userId: click.userId, userName: click.userName, action, subject, outcome });
}
