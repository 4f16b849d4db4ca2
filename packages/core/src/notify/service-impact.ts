import type { StageKind } from "../settings/common";
import type { OpsMessage, Severity } from "./message";
import type { ServiceCounts } from "./ports";

/** ECS service events whose weight depends on what they do to the service, not on ECS's own label. */
export function wantsServiceImpact(message: OpsMessage): boolean {
  // A worker's event is weighed by the worker's own tasks (enrich.ts reads its counts).
  return message.source.kind === "service-action";
}

/**
 * Severity by impact, one table per kind of stage (docs/notifications.md):
 *
 * | the service runs            | production | staging  | development |
 * |-----------------------------|------------|----------|-------------|
 * | no task of N > 0 desired    | critical   | critical | critical    |
 * | below its desired count     | critical   | critical | warning     |
 * | its desired count           | warning    | warning  | info        |
 */
export function impactSeverity(counts: ServiceCounts, kind: StageKind): Severity {
  if (noneServing(counts)) return "critical";
  const below = counts.running < counts.desired;
  if (kind === "development") return below ? "warning" : "info";
  return below ? "critical" : "warning";
}

function noneServing(counts: ServiceCounts): boolean {
  return counts.desired > 0 && counts.running === 0;
}

/** What the counts read from ECS say of the service, and nothing more. */
function impactSentence(counts: ServiceCounts): string {
  const running = `${counts.running} of ${counts.desired} desired tasks`;
  if (noneServing(counts)) return `No task serves users: the service runs ${running}.`;
  if (counts.running < counts.desired) return `The service runs ${running}: below its desired count.`;
  if (counts.running > counts.desired) return `The service runs ${running}: above its desired count.`;
  return `The service runs ${running}: at its desired count.`;
}

export function withServiceImpact(message: OpsMessage, kind: StageKind, found: ServiceCounts | { unreadable: string }): OpsMessage {
  if ("unreadable" in found)
    return {
      ...message,
      // Not knowing the impact, the event may be serious: it pages.
      severity: kind === "development" ? "warning" : "critical",
      summary: `${message.summary} How many tasks the service runs is unknown: ECS could not be asked.`.slice(0, 2500),
      facts: [...message.facts, { label: "Running tasks", value: `unknown: ECS could not be asked (${found.unreadable})`.slice(0, 2000) }],
    };
  const running = `${found.running} of ${found.desired} desired`;
  return {
    ...message,
    severity: impactSeverity(found, kind),
    summary: `${message.summary} ${impactSentence(found)}`.slice(0, 2500),
    facts: [...message.facts, { label: "Running tasks", value: running }],
  };
}
