import { DateTime } from "luxon";

/**
 * When a stage should be awake: working days between wakeAt and sleepAt in
 * the stage's time zone, except on closed days, unless someone keeps it
 * awake. Pure: the same instant and calendar always give the same answer, so
 * the scheduler's ticks, the RDS auto-start and a manual check all converge
 * on it. Time zones and daylight saving come from luxon (the IANA database).
 */

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Whole days the stage sleeps through, by local date (YYYY-MM-DD), and the last date the holiday list covers. */
export interface ClosedDays {
  days: Record<string, string>;
  until: string;
}

export interface Calendar {
  timeZone: string;
  workingDays: readonly Weekday[];
  wakeAt: string;
  sleepAt: string;
  closed: ClosedDays;
}

export interface KeepAwake {
  until: Date;
  reason: string | null;
}

export type StageState = "awake" | "asleep";

export interface Decision {
  state: StageState;
  why: string;
  /** The instant in the stage's time zone, as on-call reads it. */
  local: string;
  /** The local date lies beyond the holiday list the function was deployed with. */
  holidaysUnknown: boolean;
}

const DAY_NAMES: Record<Weekday, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export function decide(at: Date, calendar: Calendar, keepAwake: KeepAwake | null = null): Decision {
  const local = DateTime.fromJSDate(at, { zone: calendar.timeZone });
  const date = local.toISODate() ?? "";
  const base = { local: localLabel(at, calendar.timeZone), holidaysUnknown: date > calendar.closed.until };
  if (keepAwake && keepAwake.until > at) {
    const by = keepAwake.reason ? ` (${keepAwake.reason})` : "";
    return { ...base, state: "awake", why: `kept awake until ${localLabel(keepAwake.until, calendar.timeZone)}${by}` };
  }
  const closed = calendar.closed.days[date];
  if (closed) return { ...base, state: "asleep", why: closed };
  const weekday = WEEKDAYS[local.weekday - 1] as Weekday;
  if (!calendar.workingDays.includes(weekday)) return { ...base, state: "asleep", why: `not a working day (${DAY_NAMES[weekday]})` };
  const minute = local.hour * 60 + local.minute;
  const hours = `${calendar.wakeAt}–${calendar.sleepAt} ${calendar.timeZone}`;
  if (minute < minutesOf(calendar.wakeAt)) return { ...base, state: "asleep", why: `before working hours (${hours})` };
  if (minute >= minutesOf(calendar.sleepAt)) return { ...base, state: "asleep", why: `after working hours (${hours})` };
  return { ...base, state: "awake", why: `working hours (${hours})` };
}

/** How far ahead the calendar looks for the next change: long enough for any shutdown the settings allow. */
const HORIZON_DAYS = 120;

/** The first instant after `at` at which the decision changes, or null when it does not change within the horizon. */
export function nextChange(at: Date, calendar: Calendar, keepAwake: KeepAwake | null = null): Date | null {
  const now = decide(at, calendar, keepAwake).state;
  for (const candidate of boundaries(at, calendar, keepAwake)) {
    if (decide(candidate, calendar, keepAwake).state !== now) return candidate;
  }
  return null;
}

/** Every change of state from `from` to `until`, in order. */
export function transitions(from: Date, until: Date, calendar: Calendar, keepAwake: KeepAwake | null = null) {
  const changes: { at: Date; state: StageState; why: string; local: string }[] = [];
  let state = decide(from, calendar, keepAwake).state;
  for (const candidate of boundaries(from, calendar, keepAwake)) {
    if (candidate > until) break;
    const decision = decide(candidate, calendar, keepAwake);
    if (decision.state === state) continue;
    state = decision.state;
    changes.push({ at: candidate, state, why: decision.why, local: decision.local });
  }
  return changes;
}

/** "Mon 23 Nov, 07:30 CET" */
export function localLabel(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat("ccc d LLL, HH:mm ZZZZ", { locale: "en-GB" });
}

/**
 * The instants after `at` where a decision can change, in order: each day's
 * midnight, wakeAt and sleepAt, and the keep-awake expiry. Lazy, because the
 * next change is nearly always among the first few.
 */
function* boundaries(at: Date, calendar: Calendar, keepAwake: KeepAwake | null): Generator<Date> {
  const start = DateTime.fromJSDate(at, { zone: calendar.timeZone }).startOf("day");
  let expiry = keepAwake && keepAwake.until > at ? keepAwake.until : null;
  for (let day = 0; day <= HORIZON_DAYS; day++) {
    const date = start.plus({ days: day });
    for (const time of ["00:00", calendar.wakeAt, calendar.sleepAt]) {
      const candidate = firstInstantAtOrAfter(date, time);
      if (expiry && expiry <= candidate) {
        yield expiry;
        expiry = null;
      }
      if (candidate > at) yield candidate;
    }
  }
}

/**
 * The first instant of that local day whose wall clock reads `time` or later.
 * Usually the instant at `time`; when daylight saving skips it (02:30 on a
 * spring-forward night), the instant the clock jumps past it.
 */
function firstInstantAtOrAfter(day: DateTime, time: string): Date {
  const [hour, minute] = time.split(":").map(Number);
  const wanted = day.set({ hour, minute });
  if (wanted.hour === hour && wanted.minute === minute) return wanted.toJSDate();
  const target = `${day.toISODate()}T${time}`;
  const wallClock = (ms: number) => DateTime.fromMillis(ms, { zone: day.zone }).toFormat("yyyy-MM-dd'T'HH:mm");
  // Before the jump the wall clock reads earlier than `time`, after it later: search the jump to the minute.
  let before = wanted.minus({ hours: 3 }).toMillis();
  let after = wanted.toMillis();
  while (after - before > 60_000) {
    const middle = before + Math.floor((after - before) / 120_000) * 60_000;
    if (wallClock(middle) >= target) after = middle;
    else before = middle;
  }
  return new Date(after);
}

function minutesOf(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(":").map(Number);
  return hours * 60 + minutes;
}
