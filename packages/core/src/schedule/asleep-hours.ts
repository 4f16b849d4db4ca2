import type { ScheduleSettings } from "../settings/schema";
import { type Calendar, decide, transitions } from "./calendar";
import { closedDays } from "./holidays";

const HOUR_MS = 3_600_000;

/**
 * Hours the stage sleeps in the year from `from`, by the same calendar its schedule function decides with
 * (working days, wake and sleep times, public holidays, closed dates), as an average month: a twelfth.
 */
export function asleepHoursPerMonth(schedule: ScheduleSettings, from: Date): number {
  const until = new Date(from.getTime() + 365 * 24 * HOUR_MS);
  const calendar: Calendar = { ...schedule, closed: closedDays(schedule, from.getUTCFullYear(), 2) };
  let state = decide(from, calendar).state;
  let since = from;
  let asleepMs = 0;
  for (const change of transitions(from, until, calendar)) {
    if (state === "asleep") asleepMs += change.at.getTime() - since.getTime();
    state = change.state;
    since = change.at;
  }
  if (state === "asleep") asleepMs += until.getTime() - since.getTime();
  return asleepMs / HOUR_MS / 12;
}
