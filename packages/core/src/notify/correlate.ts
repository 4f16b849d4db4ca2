import { type Arrival, decideIncident, type IncidentDecision, type IncidentRecord, lastActivity } from "./incident";
import type { DeploymentLink, NotifyStore } from "./ports";

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

/**
 * A release that CodeDeploy or ECS stopped, failed or rolled back while its service has an incident open (or ended
 * less than the window ago) is part of that incident's story, even when nothing linked it (ECS's own alarm
 * rollback, a failure the automation never saw): a step of it, never a page of its own.
 */
export async function serviceIncidentLink(
  store: Pick<NotifyStore, "latestOf" | "incident">,
  service: string,
  at: string,
  windowMinutes: number,
): Promise<DeploymentLink | undefined> {
  const key = await store.latestOf(service);
  const record = key ? await store.incident(key) : undefined;
  if (!record) return undefined;
  const open = record.told === "problem" || Date.parse(at) - lastActivity(record) <= windowMinutes * 60_000;
  return open ? { key: record.key, part: "bad-release" } : undefined;
}
