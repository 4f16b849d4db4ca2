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
  const { state, why, date } = evaluate(at, calendar, keepAwake);
  return { state, why: why(), local: localLabel(at, calendar.timeZone), holidaysUnknown: date > calendar.closed.until };
}

/**
 * The decision without what only a message needs: the reason is worked out
 * when asked for, because formatting local times costs more than deciding
 * and the next-change search decides many instants.
 */
function evaluate(at: Date, calendar: Calendar, keepAwake: KeepAwake | null): { state: StageState; why: () => string; date: string } {
  const local = DateTime.fromJSDate(at, { zone: calendar.timeZone });
  const date = local.toISODate() ?? "";
  const asleep = (why: () => string) => ({ state: "asleep" as const, why, date });
  if (keepAwake && keepAwake.until > at) {
    const by = keepAwake.reason ? ` (${keepAwake.reason})` : "";
    return { state: "awake", why: () => `kept awake until ${localLabel(keepAwake.until, calendar.timeZone)}${by}`, date };
  }
  const closed = calendar.closed.days[date];
  if (closed) return asleep(() => closed);
  const weekday = WEEKDAYS[local.weekday - 1] as Weekday;
  if (!calendar.workingDays.includes(weekday)) return asleep(() => `not a working day (${DAY_NAMES[weekday]})`);
  const minute = local.hour * 60 + local.minute;
  const hours = () => `${calendar.wakeAt}–${calendar.sleepAt} ${calendar.timeZone}`;
  if (minute < minutesOf(calendar.wakeAt)) return asleep(() => `before working hours (${hours()})`);
  if (minute >= minutesOf(calendar.sleepAt)) return asleep(() => `after working hours (${hours()})`);
  return { state: "awake", why: () => `working hours (${hours()})`, date };
}

/** How far ahead the calendar looks for the next change: long enough for any shutdown the settings allow. */
const HORIZON_DAYS = 120;

/** The first instant after `at` at which the decision changes, or null when it does not change within the horizon. */
export function nextChange(at: Date, calendar: Calendar, keepAwake: KeepAwake | null = null): Date | null {
  const now = evaluate(at, calendar, keepAwake).state;
  for (const candidate of boundaries(at, calendar, keepAwake)) {
    if (evaluate(candidate, calendar, keepAwake).state !== now) return candidate;
  }
  return null;
}

/** Every change of state from `from` to `until`, in order, however far apart they are. */
export function transitions(from: Date, until: Date, calendar: Calendar, keepAwake: KeepAwake | null = null) {
  const changes: { at: Date; state: StageState; why: string; local: string }[] = [];
  let state = evaluate(from, calendar, keepAwake).state;
  const days = Math.ceil((until.getTime() - from.getTime()) / 86_400_000) + 1;
  for (const candidate of boundaries(from, calendar, keepAwake, days)) {
    if (candidate > until) break;
    if (evaluate(candidate, calendar, keepAwake).state === state) continue;
    const decision = decide(candidate, calendar, keepAwake);
    state = decision.state;
    changes.push({ at: candidate, state, why: decision.why, local: decision.local });
  }
  return changes;
}

const labelFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "Mon 23 Nov, 07:30 CET (06:30 UTC)": the stage's wall clock, with UTC beside (what AWS's consoles and logs show);
 * in a UTC stage "Mon 23 Nov, 06:30 UTC". One formatter per zone: building one costs twenty times more than using it.
 */
export function localLabel(at: Date, timeZone: string): string {
  let format = labelFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    labelFormats.set(timeZone, format);
  }
  const label = format.format(at);
  return timeZone === "UTC" ? label : `${label} (${at.toISOString().slice(11, 16)} UTC)`;
}

/**
 * The instants after `at` where a decision can change, in order: each day's
 * midnight, wakeAt and sleepAt, and the keep-awake expiry. Lazy, because the
 * next change is nearly always among the first few.
 */
function* boundaries(at: Date, calendar: Calendar, keepAwake: KeepAwake | null, days = HORIZON_DAYS): Generator<Date> {
  const start = DateTime.fromJSDate(at, { zone: calendar.timeZone }).startOf("day");
  let expiry = keepAwake && keepAwake.until > at ? keepAwake.until : null;
  for (let day = 0; day <= days; day++) {
    const date = start.plus({ days: day });
    // Only wakeAt and sleepAt can change the state: working hours never span midnight, so a stage is asleep on both sides of it.
    for (const time of [calendar.wakeAt, calendar.sleepAt]) {
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
