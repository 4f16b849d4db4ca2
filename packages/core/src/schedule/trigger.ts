import { Envelope, firstIssue } from "../notify/sources/envelope";
import * as z from "../zod";
import { KEEP_AWAKE_MAX_DAYS } from "./keep-awake";

/**
 * What reaches the schedule function: a scheduler tick (its input is ours,
 * with the scheduler's execution id and scheduled time filled in), a manual
 * check (the same input, typed by a person), or RDS's event for a stopped
 * instance it starts again after 7 days.
 */

/** What a tick is asked to do, once its event is read. */
export type Trigger =
  | { kind: "sleep" | "wake" }
  | { kind: "check"; reason: string | null }
  /** wakeOnly: a "Wake now" press, which changes nothing on a stage that is already awake. */
  | { kind: "keep-awake"; until: Date; reason: string; wakeOnly?: boolean }
  | { kind: "database-auto-start"; eventId: string };

export const RDS_AUTO_START_EVENT = "RDS-EVENT-0154";

const Tick = z.strictObject({
  action: z.enum(["sleep", "wake", "check", "summary", "keep-awake"]),
  reason: z.optional(z.string().check(z.maxLength(500))),
  /** keep-awake: for how long from now. */
  minutes: z.optional(
    z
      .number()
      .check(z.int())
      .check(z.gte(1))
      .check(z.lte(KEEP_AWAKE_MAX_DAYS * 24 * 60)),
  ),
  /** keep-awake from a "Wake now" press: nothing to do on a stage already awake. */
  wakeOnly: z.optional(z.boolean()),
  executionId: z.optional(z.string().check(z.minLength(1))),
  scheduledTime: z.optional(z.iso.datetime({ offset: true })),
});

const RdsInstanceEvent = z.extend(Envelope, {
  "detail-type": z.literal("RDS DB Instance Event"),
  source: z.literal("aws.rds"),
  detail: z.looseObject({ EventID: z.optional(z.string()), SourceIdentifier: z.string() }),
});

export type ScheduleEvent =
  | { kind: "act"; trigger: Trigger | "summary"; key: string | null; notBefore: Date | null }
  | { kind: "ignored"; eventId: string | null; reason: string }
  | { kind: "rejected"; eventId: string | null; reason: string };

export function readScheduleEvent(event: unknown, databaseInstance: string | null, now: Date): ScheduleEvent {
  const eventId = typeof (event as { id?: unknown })?.id === "string" ? (event as { id: string }).id : null;
  if (typeof event === "object" && event !== null && "detail-type" in event) {
    const rds = RdsInstanceEvent.safeParse(event);
    if (!rds.success) return { kind: "rejected", eventId, reason: `not an RDS DB instance event: ${firstIssue(rds.error)}` };
    const { EventID, SourceIdentifier } = rds.data.detail;
    if (SourceIdentifier !== databaseInstance)
      return {
        kind: "ignored",
        eventId,
        reason: `event for DB instance ${SourceIdentifier}, not ${databaseInstance ?? "any of this stage's (it has no database)"}`,
      };
    if (EventID !== RDS_AUTO_START_EVENT)
      return { kind: "ignored", eventId, reason: `${EventID ?? "event without EventID"} needs nothing` };
    return { kind: "act", trigger: { kind: "database-auto-start", eventId: rds.data.id }, key: rds.data.id, notBefore: null };
  }
  const tick = Tick.safeParse(event);
  if (!tick.success)
    return {
      kind: "rejected",
      eventId,
      reason: `not a schedule tick ({"action": "sleep" | "wake" | "check" | "summary" | "keep-awake"}): ${firstIssue(tick.error)}`,
    };
  const { action, reason, minutes, wakeOnly, executionId, scheduledTime } = tick.data;
  const key = executionId ?? null;
  const notBefore = scheduledTime ? new Date(scheduledTime) : null;
  if (action === "keep-awake") {
    if (!minutes || !reason)
      return { kind: "rejected", eventId, reason: 'keep-awake needs "minutes" (how long from now) and "reason" (shown to on-call)' };
    const until = new Date(now.getTime() + minutes * 60_000);
    return { kind: "act", trigger: { kind: "keep-awake", until, reason, ...(wakeOnly ? { wakeOnly } : {}) }, key, notBefore };
  }
  const trigger: Trigger | "summary" =
    action === "summary" ? "summary" : action === "check" ? { kind: "check", reason: reason ?? null } : { kind: action };
  return { kind: "act", trigger, key, notBefore };
}
