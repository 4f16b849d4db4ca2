import type { ScheduleSettings } from "../settings/schema";
import { type Calendar, decide, transitions } from "./calendar";
import { closedDays } from "./holidays";

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

/**
 * Hours the stage sleeps in the year from `from`, by the same calendar its schedule function decides with
 * (working days, wake and sleep times, public holidays, closed dates), as an average month: a twelfth.
 */
export function asleepHoursPerMonth(schedule: ScheduleSettings, from: Date): number {
  const calendar: Calendar = { ...schedule, closed: closedDays(schedule, from.getUTCFullYear(), 2) };
  let asleepMs = 0;
  // A week at a time: the calendar looks for changes a bounded number of days ahead.
  for (let week = 0; week * 7 < 365; week++) {
    const start = new Date(from.getTime() + week * WEEK_MS);
    const end = new Date(Math.min(start.getTime() + WEEK_MS, from.getTime() + 365 * 24 * HOUR_MS));
    let state = decide(start, calendar).state;
    let since = start;
    for (const change of transitions(start, end, calendar)) {
      if (state === "asleep") asleepMs += change.at.getTime() - since.getTime();
      state = change.state;
      since = change.at;
    }
    if (state === "asleep") asleepMs += end.getTime() - since.getTime();
  }
  return asleepMs / HOUR_MS / 12;
}
