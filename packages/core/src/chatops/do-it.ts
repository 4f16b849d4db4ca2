import { alarmIncidentKey } from "../notify/message";
import type { DoItRequest } from "../rollback/do-it";
import type { AcceptedClick } from "./accept";
import { type AcknowledgePorts, markAcknowledged, refreshMessage } from "./acknowledge";
import { audit } from "./audit";
import { incidentLiveness } from "./live";

/**
 * "Do it": what the automation rehearsed in dry-run, carried out for real by
 * the rollback function (the same decision, claim, cooldown and cap, with
 * fresh facts). The person who pressed has taken the incident; what the
 * rollback did arrives in the incident as its own step, from its own record.
 * An incident that has ended is told so, and nothing is asked or taken.
 */

export interface RollbackPort {
  doIt(request: DoItRequest): Promise<{ decision: { action: string }; outcome: { kind: string } }>;
}

export interface DoItPorts extends AcknowledgePorts {
  rollback: RollbackPort;
}

const ALARM_PREFIX = alarmIncidentKey("");

export async function doIt(click: AcceptedClick, ports: DoItPorts): Promise<string> {
  const key = click.ticket.subject;
  // Its subject is the step's alarm; the incident is the one that alarm joined (notify/correlate.ts).
  const incidentKey = (await ports.store.memberOf(key)) ?? key;
  const present = incidentLiveness(click.ticket, await ports.store.incident(incidentKey), new Date(click.at));
  const asked = !present.live
    ? { outcome: `not done: ${present.reason}`, answered: false }
    : !key.startsWith(ALARM_PREFIX)
      ? { outcome: "not done: only an alarm's decision can be carried out", answered: false }
      : await ask(ports.rollback, {
          kind: "do-it",
          alarmName: key.slice(ALARM_PREFIX.length),
          ticketId: click.ticket.id,
          requestedBy: `${click.userName} (${click.userId})`,
        });
  // Only a press the rollback function answered takes the incident: a refusal or a failure changed nothing, so
  // the incident's pages must still reach someone.
  if (asked.answered) await markAcknowledged(click, ports.store);
  await audit(click, ports.audit, asked.outcome);
  await refreshMessage(incidentKey, ports);
  return asked.outcome;
}

async function ask(rollback: RollbackPort, request: DoItRequest): Promise<{ outcome: string; answered: boolean }> {
  try {
    const { decision, outcome } = await rollback.doIt(request);
    return { outcome: `${decision.action} → ${outcome.kind}`, answered: true };
  } catch (error) {
    return { outcome: `failed: ${(error as Error).message}`.slice(0, 500), answered: false };
  }
}
