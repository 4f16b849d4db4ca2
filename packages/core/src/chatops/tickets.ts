import { randomBytes } from "node:crypto";
import { RELEASE_ID_PATTERN } from "../release/release-id";
import type { ChatOpsAction } from "../settings/chatops";
import { formatClock } from "../text/time";
import type { Interaction } from "./interaction";

/**
 * A button's value is a ticket: a random id the server issued with the
 * message, resolved from its own state table when pressed. The ticket says
 * what the button acts on; the payload is never trusted for that. A ticket is
 * used once: a double click, a repeated delivery or a second person gets
 * "already done by …". A use counts only once its click is queued: a use
 * whose hand-off failed is given back, so that pressing again works.
 */

export interface Ticket {
  id: string;
  stage: string;
  action: ChatOpsAction;
  /** What the button acts on (subjects below): an incident, a release, a release's approval, the stage. */
  subject: string;
  issuedAt: string;
  expiresAt: string;
  used?: { by: string; at: string };
}

export interface TicketStore {
  issue(ticket: Ticket): Promise<void>;
  ticket(id: string): Promise<Ticket | undefined>;
  /** Marks the ticket used unless it already is; returns who used it first. */
  use(id: string, by: string, at: string): Promise<{ first: true } | { first: false; used: NonNullable<Ticket["used"]> }>;
  /** Makes a use undone (only that use: a later one by someone else stays), when its click could not be handed on. */
  giveBack(id: string, used: NonNullable<Ticket["used"]>): Promise<void>;
}

/** 128 random bits, base64url: 22 characters (interaction.ts TICKET_ID). */
export const newTicketId = () => randomBytes(16).toString("base64url");

/** The subjects a button can act on; an incident's is its key (notify/message.ts). */
export const subjects = {
  release: (deploymentId: string) => `release:${deploymentId}`,
  approval: (deploymentId: string) => `approval:${deploymentId}`,
  stage: (stage: string) => `stage:${stage}`,
  /** "Wake now" on a sleeping stage: the same keep-awake, refused once the stage is awake anyway. */
  wake: (stage: string) => `wake:${stage}`,
};

/** The release a subject names, or null. */
export function deploymentOf(subject: string, kind: "release" | "approval"): string | null {
  const id = subject.startsWith(`${kind}:`) ? subject.slice(kind.length + 1) : null;
  // Approvals are CodeDeploy's only (an ECS stage has no gate: settings/schema.ts).
  const pattern = kind === "release" ? RELEASE_ID_PATTERN : /^d-[A-Z0-9]+$/;
  return id !== null && pattern.test(id) ? id : null;
}

/** A ticket lasts the stage's button hours, or less when what it acts on ends sooner (an approval's deadline). */
export function ticketFor(stage: string, action: ChatOpsAction, subject: string, now: Date, hours: number, endsAt?: string): Ticket {
  const lasts = new Date(now.getTime() + hours * 3_600_000).toISOString();
  return {
    id: newTicketId(),
    stage,
    action,
    subject,
    issuedAt: now.toISOString(),
    expiresAt: endsAt && endsAt < lasts ? endsAt : lasts,
  };
}

export type TicketCheck = { ok: true; ticket: Ticket } | { ok: false; reason: string };

/**
 * Whether a pressed button's ticket may be acted on: ours, this stage's, this button's, not expired, not used. Pure.
 * A refusal's time is in the stage's zone, with UTC beside.
 */
export function checkTicket(
  ticket: Ticket | undefined,
  interaction: Pick<Interaction, "action">,
  stage: string,
  now: Date,
  timeZone: string,
): TicketCheck {
  if (!ticket) return { ok: false, reason: "this button is unknown or has expired" };
  if (ticket.stage !== stage) return { ok: false, reason: `this button belongs to ${ticket.stage}, not ${stage}` };
  if (ticket.action !== interaction.action) return { ok: false, reason: "this button's value belongs to another button" };
  if (Date.parse(ticket.expiresAt) < now.getTime()) return { ok: false, reason: "this button has expired" };
  if (ticket.used) return { ok: false, reason: `already done by <@${ticket.used.by}> at ${formatClock(ticket.used.at, timeZone, now)}` };
  return { ok: true, ticket };
}

/** The notifier's side: a button's ticket, issued into the store before the message carrying it is posted. */
export function buttonIssuer(stage: string, hours: number, tickets: Pick<TicketStore, "issue">, now: () => Date = () => new Date()) {
  return {
    async issue(action: ChatOpsAction, subject: string, endsAt?: string) {
      const ticket = ticketFor(stage, action, subject, now(), hours, endsAt);
      await tickets.issue(ticket);
      return ticket.id;
    },
  };
}
