import type { ChatOpsAuditEntry } from "@hands-off-ops/core/chatops/audit";
import type { AuditRecord } from "@hands-off-ops/core/rollback/ports";
import type { Night } from "@hands-off-ops/core/schedule/ports";
import { hours, hoursBetween, money } from "@hands-off-ops/core/schedule/savings";

/**
 * What the automation did, as the console prints it: the rollback decisions
 * (every alarm, "did nothing, because …" included), newest first, then the
 * nights the schedule slept. Pure.
 */
export function auditLines(stage: string, trail: AuditRecord[], nights: Night[], currency: string | null): string[] {
  const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const lines = [`Automatic rollback decisions on ${stage}, newest first (${trail.length}):`];
  if (!trail.length) lines.push("  none recorded in the last 90 days");
  for (const record of trail) {
    const decision = record.decision as { action?: string; why?: string };
    lines.push(
      `  ${utc(record.at)}  ${record.alarmName}  ${decision.action ?? "?"} → ${record.outcome}: ${decision.why ?? "—"}  (event ${record.eventId})`,
    );
  }
  if (currency === null) return lines;
  lines.push("", `Nights slept on ${stage}, newest first (${nights.length}):`);
  if (!nights.length) lines.push("  none recorded in the last 90 days");
  for (const night of [...nights].sort((a, b) => b.wokeAt.getTime() - a.wokeAt.getTime())) {
    lines.push(
      `  ${utc(night.sleptAt)} → ${utc(night.wokeAt)}  ${hours(hoursBetween(night.sleptAt, night.wokeAt))}, about ${money(night.saved, currency)} saved`,
    );
  }
  return lines;
}

/** The buttons pressed in Slack, newest first: who, what, on which incident, and what came of it. */
export function clickLines(stage: string, clicks: ChatOpsAuditEntry[]): string[] {
  const lines = ["", `Slack buttons pressed on ${stage}, newest first (${clicks.length}):`];
  if (!clicks.length) lines.push("  none recorded in the last 90 days");
  for (const click of clicks)
    lines.push(
      `  ${click.at.slice(0, 16).replace("T", " ")} UTC  ${click.userName} (${click.userId})  ${click.action} ${click.subject} → ${click.outcome}`,
    );
  return lines;
}
