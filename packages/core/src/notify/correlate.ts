import { type Arrival, decideIncident, type IncidentDecision, type IncidentRecord } from "./incident";

/**
 * One cause, one incident. A signal joins, in this order:
 *  1. the incident its member already belongs to (an alarm's OK joins the incident its ALARM joined), if that
 *     incident takes it: still open, or ended less than the collapse window ago;
 *  2. otherwise the service's newest incident, on the same terms: a second alarm of the same canary, the crash
 *     loop of the release an alarm blamed, the placement failure an OOM kill caused, the 5xx after a failover;
 *  3. otherwise it opens an incident of its own, under its member key.
 * A new problem after a window of quiet is a new cause, whatever is still open. Pure.
 */
export type Correlation =
  | { kind: "join"; record: IncidentRecord; decision: IncidentDecision }
  | { kind: "open"; decision: IncidentDecision };

export function correlate(
  candidates: { own: IncidentRecord | undefined; latest: IncidentRecord | undefined },
  arrival: Arrival,
  windowMinutes: number,
): Correlation {
  for (const record of [candidates.own, candidates.latest]) {
    if (!record) continue;
    const decision = decideIncident(record, arrival, windowMinutes);
    if (!decision.opened) return { kind: "join", record, decision };
  }
  return { kind: "open", decision: decideIncident(undefined, arrival, windowMinutes) };
}
