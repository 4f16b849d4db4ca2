import * as z from "../zod";
import type { KeepAwake } from "./calendar";

/**
 * The keep-awake override: a tag on the ECS service, set by a person
 * (docs/schedule.md has the command). Its value is an ISO 8601 date-time
 * with an offset; an optional second tag says why. An expired, unreadable or
 * too distant override is ignored, and the message says so.
 */
export const KEEP_AWAKE_TAG = "keep-awake-until";
export const KEEP_AWAKE_REASON_TAG = "keep-awake-reason";
/** A forgotten tag must not keep a stage awake (and paid for) for months. */
export const KEEP_AWAKE_MAX_DAYS = 14;

const DateTimeWithOffset = z.iso.datetime({ offset: true, local: false });

export function readKeepAwake(tags: Record<string, string>, now: Date): { keepAwake: KeepAwake | null; note: string | null } {
  const value = tags[KEEP_AWAKE_TAG];
  if (value === undefined) return { keepAwake: null, note: null };
  if (!DateTimeWithOffset.safeParse(value).success) {
    return {
      keepAwake: null,
      note: `ignored the ${KEEP_AWAKE_TAG} tag: "${value}" is not a date-time with an offset such as 2026-11-23T22:00:00+01:00`,
    };
  }
  const until = new Date(value);
  if (until <= now) return { keepAwake: null, note: `ignored the ${KEEP_AWAKE_TAG} tag: ${value} has passed` };
  if (until.getTime() - now.getTime() > KEEP_AWAKE_MAX_DAYS * 86_400_000) {
    return { keepAwake: null, note: `ignored the ${KEEP_AWAKE_TAG} tag: ${value} is more than ${KEEP_AWAKE_MAX_DAYS} days away` };
  }
  const reason = tags[KEEP_AWAKE_REASON_TAG]?.trim() || null;
  return { keepAwake: { until, reason }, note: null };
}
