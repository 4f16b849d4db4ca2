import { type Calendar, decide, type KeepAwake, localLabel, transitions } from "@hands-off-ops/core/schedule/calendar";
import { DateTime } from "luxon";

/**
 * The coming days of a stage's sleep schedule, one line per local day: when
 * it is awake, or why it sleeps all day (weekend, public holiday, closed
 * date, a keep-awake override). Pure: the console prints what this returns.
 */
export function scheduleDays(calendar: Calendar, from: Date, days: number, keepAwake: KeepAwake | null): string[] {
  const zone = calendar.timeZone;
  const first = DateTime.fromJSDate(from, { zone }).startOf("day");
  const lines: string[] = [];
  for (let day = 0; day < days; day++) {
    const midnight = first.plus({ days: day });
    // The first day starts now: an override set now does not reach back to the morning.
    const start = day === 0 ? DateTime.fromJSDate(from, { zone }) : midnight;
    const end = midnight.plus({ days: 1 });
    const label = midnight.toFormat("ccc d LLL", { locale: "en-GB" });
    const changes = transitions(start.toJSDate(), new Date(end.toMillis() - 1), calendar, keepAwake);
    const atStart = decide(start.toJSDate(), calendar, keepAwake);
    if (changes.length === 0) {
      // The first day may start mid-day: its state holds for the rest of it, for the reason that holds now.
      const rest = start.toMillis() > midnight.toMillis();
      const whole =
        atStart.state === "awake"
          ? `awake ${rest ? `from ${start.toFormat("HH:mm")} to the end of the day` : "all day"} (${atStart.why})`
          : rest
            ? `asleep from ${start.toFormat("HH:mm")} to the end of the day (${atStart.why})`
            : `asleep all day (${decide(start.plus({ hours: 12 }).toJSDate(), calendar, keepAwake).why})`;
      lines.push(`${label}  ${whole}`);
      continue;
    }
    const spans = changes.map(
      (change) => `${change.state === "awake" ? "wakes" : "sleeps"} ${DateTime.fromJSDate(change.at, { zone }).toFormat("HH:mm")}`,
    );
    const keptAwake = [atStart, ...changes].find((decision) => decision.why.startsWith("kept awake"));
    lines.push(`${label}  ${spans.join(", ")}${keptAwake ? `  (${keptAwake.why})` : ""}`);
  }
  return [
    `${days} ${days === 1 ? "day" : "days"} from ${localLabel(from, zone)} (${zone}), awake ${calendar.wakeAt}–${calendar.sleepAt} on ${calendar.workingDays.join(", ")}`,
    "",
    ...lines,
  ];
}

/**
 * --from as a person means it: a date alone is that day from midnight in the
 * stage's zone; a date-time keeps its offset (none: the stage's zone). An
 * impossible date (2026-02-30) is refused, not rolled over.
 */
export function parseFrom(value: string, zone: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = dateOnly ? DateTime.fromISO(value, { zone }).startOf("day") : DateTime.fromISO(value, { zone, setZone: true });
  if (!parsed.isValid)
    throw new RangeError(
      `--from "${value}" is not a date (YYYY-MM-DD) or ISO date-time: ${parsed.invalidExplanation ?? parsed.invalidReason}`,
    );
  return parsed.toJSDate();
}
