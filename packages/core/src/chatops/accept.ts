import type { ChatOpsSettings } from "../settings/chatops";
import { formatClock } from "../text/time";
import { authorize, type GroupsPort } from "./authorize";
import { readInteraction } from "./interaction";
import { liveness, type PresentPorts } from "./live";
import { checkRequestShape, type RawRequest, verifySlackSignature } from "./slack-verify";
import { checkTicket, type Ticket, type TicketStore } from "./tickets";

/**
 * The interactivity endpoint's answer to one request, within Slack's three
 * seconds: verify who is calling (before parsing anything), read the button
 * press, check the person may, resolve the button's ticket from our own
 * state, check that what it acts on is still live, use the ticket once,
 * then hand the click to the worker and answer 200.
 * An unauthenticated request gets its status and nothing else; a Slack user
 * who may not act is told why, only them (its times in the stage's zone, with
 * UTC beside).
 */

export interface AcceptPorts {
  signingSecret(): Promise<string>;
  groups: GroupsPort;
  tickets: TicketStore;
  /** The present state of what buttons act on (an incident has ended since its message was posted). */
  present: PresentPorts;
  /** Hands an accepted click to the worker that carries it out (asynchronously). */
  enqueue(click: AcceptedClick): Promise<void>;
  /** An ephemeral reply, seen only by the person who pressed. */
  tellPresser(responseUrl: string, text: string): Promise<void>;
}

export interface AcceptedClick {
  ticket: Ticket;
  userId: string;
  userName: string;
  at: string;
  /** Where the pressed message can be replaced with the click's result, and what it showed. */
  shown?: { responseUrl: string; blocks: Record<string, unknown>[] };
}

export interface AcceptResult {
  status: number;
  outcome: "accepted" | "refused" | "ignored" | "failed";
  /** Why it was refused, for the log and the metric; never sent to an unauthenticated caller beyond its status. */
  reason?: string;
  userId?: string;
  action?: string;
}

export async function acceptClick(
  request: RawRequest,
  settings: ChatOpsSettings,
  stage: string,
  ports: AcceptPorts,
  now: Date,
  timeZone: string,
): Promise<AcceptResult> {
  const shape = checkRequestShape(request, now.getTime());
  if (!shape.ok) return { status: shape.status, outcome: "refused", reason: shape.reason };
  const verified = verifySlackSignature(request, await ports.signingSecret(), now.getTime());
  if (!verified.ok) return { status: verified.status, outcome: "refused", reason: verified.reason };
  const read = readInteraction(request.body);
  if (read.ok === "link") return { status: 200, outcome: "ignored" };
  if (!read.ok) return { status: 400, outcome: "refused", reason: read.reason };
  const { interaction } = read;
  const who = { userId: interaction.userId, action: interaction.action };
  const refuse = async (reason: string): Promise<AcceptResult> => {
    if (interaction.responseUrl) await ports.tellPresser(interaction.responseUrl, `Not done: ${reason}.`);
    return { status: 200, outcome: "refused", reason, ...who };
  };
  const allowed = await authorize(interaction, settings, stage, ports.groups);
  if (!allowed.ok) return refuse(allowed.reason);
  const checked = checkTicket(await ports.tickets.ticket(interaction.ticketId), interaction, stage, now, timeZone);
  if (!checked.ok) return refuse(checked.reason);
  const present = await liveness(checked.ticket, ports.present, now);
  if (!present.live) return refuse(present.reason);
  const use = { by: interaction.userId, at: now.toISOString() };
  const used = await ports.tickets.use(checked.ticket.id, use.by, use.at);
  if (!used.first) return refuse(`already done by <@${used.used.by}> at ${formatClock(used.used.at, timeZone, now)}`);
  const { responseUrl, blocks } = interaction;
  try {
    await ports.enqueue({
      ticket: checked.ticket,
      userId: interaction.userId,
      userName: interaction.userName,
      at: use.at,
      ...(responseUrl && blocks ? { shown: { responseUrl, blocks } } : {}),
    });
  } catch (error) {
    return notHandedOn(error as Error, checked.ticket.id, use, interaction.responseUrl, ports, who);
  }
  return { status: 200, outcome: "accepted", ...who };
}

/**
 * The click was not queued, so nothing will be done: its ticket is given back (a later press works instead of
 * "already done by you"), and Slack gets an error status, which it shows on the button.
 */
async function notHandedOn(
  error: Error,
  ticketId: string,
  use: { by: string; at: string },
  responseUrl: string | null,
  ports: AcceptPorts,
  who: Pick<AcceptResult, "userId" | "action">,
): Promise<AcceptResult> {
  const stuck = await ports.tickets.giveBack(ticketId, use).then(
    () => null,
    (failed: Error) => failed,
  );
  const reason = `the click could not be queued (${error.message})${stuck ? `; its ticket stays used (${stuck.message})` : ""}`;
  const text = stuck
    ? "Not done: the click could not be handed on, and this button no longer works. Nothing was changed."
    : "Not done: the click could not be handed on. Nothing was changed; press again.";
  if (responseUrl) await ports.tellPresser(responseUrl, text).catch(() => undefined);
  return { status: 500, outcome: "failed", reason: reason.slice(0, 500), ...who };
}
