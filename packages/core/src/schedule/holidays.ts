import Holidays from "date-holidays";
import type { ScheduleSettings } from "../settings/schema";
import type { ClosedDays } from "./calendar";

/**
 * Public holidays from the date-holidays library, turned into the closed
 * days the calendar reads. Used at synth time and by the ops console, never
 * inside a Lambda: the library carries every country's rules (1.5 MB
 * bundled), so the stack hands the function the few dates it needs.
 */

/** Why the settings' holiday country or region is unknown to the library, or null when it is known. */
export function unknownHolidayRegion(holidays: ScheduleSettings["holidays"]): string | null {
  if (!holidays) return null;
  const library = new Holidays();
  if (!library.getCountries()[holidays.country]) return `country "${holidays.country}" is not one the date-holidays library knows`;
  if (holidays.region === null) return null;
  const regions = library.getStates(holidays.country) ?? {};
  if (regions[holidays.region]) return null;
  const known = Object.keys(regions);
  return known.length
    ? `region "${holidays.region}" is not one of ${holidays.country}'s: ${known.join(", ")}`
    : `${holidays.country} has no regions in the date-holidays library: use "region": null`;
}

/**
 * The days the stage sleeps through, from the first of January of `fromYear`
 * to the end of `fromYear + years - 1`: public holidays (by their English
 * name where the library has one) and the settings' extra closed dates.
 */
export function closedDays(schedule: Pick<ScheduleSettings, "holidays" | "closedDates">, fromYear: number, years: number): ClosedDays {
  const days: Record<string, string> = {};
  if (schedule.holidays) {
    const { country, region } = schedule.holidays;
    const options = { languages: ["en"], types: ["public" as const] };
    const library = region ? new Holidays(country, region, options) : new Holidays(country, options);
    for (let year = fromYear; year < fromYear + years; year++) {
      for (const holiday of library.getHolidays(year)) {
        const date = holiday.date.slice(0, 10);
        days[date] = days[date] ? `${days[date]} / ${holiday.name}` : `public holiday: ${holiday.name}`;
      }
    }
  }
  for (const date of schedule.closedDates) days[date] = days[date] ?? "closed (settings: closedDates)";
  return { days, until: `${fromYear + years - 1}-12-31` };
}
