import type { StageKind } from "../settings/common";
import type { OpsMessage, Severity } from "./message";

/** What the service runs now, as ECS reports it. */
export interface ServiceCounts {
  running: number;
  desired: number;
}

export interface ServiceCountsPort {
  counts(): Promise<ServiceCounts>;
}

/** ECS service events whose weight depends on what they do to the service, not on ECS's own label. */
export function wantsServiceImpact(message: OpsMessage): boolean {
  return message.source.kind === "service-action";
}

/**
 * Severity by impact, one table per kind of stage (docs/notifications.md):
 *
 * | the service runs            | production | staging  | development |
 * |-----------------------------|------------|----------|-------------|
 * | below its desired count     | critical   | critical | warning     |
 * | its desired count           | warning    | warning  | info        |
 */
export function impactSeverity(counts: ServiceCounts, kind: StageKind): Severity {
  const below = counts.running < counts.desired;
  if (kind === "development") return below ? "warning" : "info";
  return below ? "critical" : "warning";
}

export function withServiceImpact(message: OpsMessage, kind: StageKind, found: ServiceCounts | { unreadable: string }): OpsMessage {
  if ("unreadable" in found)
    return {
      ...message,
      // Not knowing the impact, the event may be serious: it pages.
      severity: kind === "development" ? "warning" : "critical",
      facts: [...message.facts, { label: "Running tasks", value: `unknown: ECS could not be asked (${found.unreadable})`.slice(0, 2000) }],
    };
  const running = `${found.running} of ${found.desired} desired`;
  const below = found.running < found.desired ? ": below its desired count" : "";
  return {
    ...message,
    severity: impactSeverity(found, kind),
    summary: `${message.summary} The service runs ${running} tasks${below}.`.slice(0, 2500),
    facts: [...message.facts, { label: "Running tasks", value: running }],
  };
}
