import type { IncidentRecord } from "../notify/incident";
import type { NotifyStore } from "../notify/ports";
import { formatClock } from "../text/time";
import type { Ticket } from "./tickets";

/**
 * A button acts on the present, not on the moment its message was posted: a
 * ticket outlives what it was issued for (an incident that has ended, an
 * incident replaced by a new one under the same key), and a press on it must
 * change nothing. A late Acknowledge that marked an ended incident taken
 * would silence the page of its return. The endpoint asks before it uses the
 * ticket (so the presser is told, and the ticket still works if the subject
 * comes back to life); the worker asks again inside its own write.
 */

export type Liveness = { live: true } | { live: false; reason: string };
export type IncidentLiveness = { live: true; record: IncidentRecord } | { live: false; reason: string };

/** What the endpoint reads of the present, from the state table. */
export interface PresentPorts {
  incidents: Pick<NotifyStore, "incident" | "memberOf">;
}

const NOTHING_CHANGED = "nothing was changed";

/** Whether the incident a ticket names is still the one it was issued for, and still open. Pure. */
export function incidentLiveness(ticket: Pick<Ticket, "id" | "action">, record: IncidentRecord | undefined, now: Date): IncidentLiveness {
  if (!record) return { live: false, reason: `this incident is no longer known — ${NOTHING_CHANGED}` };
  // In the zone the incident's own message was written in: the stage's.
  const when = (at: string) => formatClock(at, record.lead.timeZone, now);
  // A new incident under the same key carries its own tickets: this one belonged to an earlier episode.
  if (!record.buttons?.some((button) => button.ticketId === ticket.id))
    return {
      live: false,
      reason: `the incident this button belongs to has ended: a new one began at ${when(record.openedAt)} — ${NOTHING_CHANGED}`,
    };
  if (record.told === "resolved") return { live: false, reason: `this incident ended at ${when(endedAt(record))} — ${NOTHING_CHANGED}` };
  if (ticket.action === "acknowledge" && record.acknowledged) {
    const { by, at } = record.acknowledged;
    return { live: false, reason: `<@${by}> already took this incident at ${when(at)} — ${NOTHING_CHANGED}` };
  }
  return { live: true, record };
}

/** The present of what a ticket acts on; subjects other than incidents are checked by the path that acts on them. */
export async function liveness(ticket: Ticket, ports: PresentPorts, now: Date): Promise<Liveness> {
  if (ticket.action !== "acknowledge" && ticket.action !== "do-it") return { live: true };
  // Do it names the step's alarm, which may have joined an incident another signal opened.
  const key = (await ports.incidents.memberOf(ticket.subject)) ?? ticket.subject;
  const present = incidentLiveness(ticket, await ports.incidents.incident(key), now);
  return present.live ? { live: true } : present;
}

/** Its newest own state (the OK that ended it), or its lead when it has none. */
function endedAt(record: IncidentRecord): string {
  return record.history.at(-1)?.at ?? record.lead.occurredAt;
}
