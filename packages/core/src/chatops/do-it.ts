import { alarmIncidentKey } from "../notify/message";
import type { DoItRequest } from "../rollback/do-it";
import type { AcceptedClick } from "./accept";
import { type AcknowledgePorts, markAcknowledged, refreshMessage } from "./acknowledge";
import { audit } from "./audit";

/**
 * "Do it": what the automation rehearsed in dry-run, carried out for real by
 * the rollback function (the same decision, claim, cooldown and cap, with
 * fresh facts). The person who pressed has taken the incident; what the
 * rollback did arrives in the incident as its own step, from its own record.
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
  const record = await ports.store.incident(key);
  const outcome = !record
    ? "incident no longer known"
    : record.told === "resolved"
      ? "not done: the alarm is back to OK"
      : !key.startsWith(ALARM_PREFIX)
        ? "not done: only an alarm's decision can be carried out"
        : await ask(ports.rollback, {
            kind: "do-it",
            alarmName: key.slice(ALARM_PREFIX.length),
            ticketId: click.ticket.id,
            requestedBy: `${click.userName} (${click.userId})`,
          });
  if (record) await markAcknowledged(click, ports.store);
  await audit(click, ports.audit, outcome);
  await refreshMessage(key, ports);
  return outcome;
}

async function ask(rollback: RollbackPort, request: DoItRequest): Promise<string> {
  try {
    const { decision, outcome } = await rollback.doIt(request);
    return `${decision.action} → ${outcome.kind}`;
  } catch (error) {
    return `failed: ${(error as Error).message}`.slice(0, 500);
  }
}
