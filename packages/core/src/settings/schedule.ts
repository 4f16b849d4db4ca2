import * as z from "../zod";
import { clockTime, ianaTimeZone, weekday } from "./common";

const calendarDate = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2026-12-24"))
  .check(
    z.refine((date) => {
      const parsed = new Date(`${date}T00:00:00Z`);
      return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
    }, "is not a calendar date"),
  );
const hourlyPrice = z.number().check(z.gte(0)).check(z.lte(100));

export const ScheduleSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Working hours are read in this zone; the scheduler follows its daylight-saving changes. */
  timeZone: ianaTimeZone,
  workingDays: z.array(weekday).check(z.minLength(1)),
  wakeAt: clockTime,
  sleepAt: clockTime,
  /**
   * Public holidays (the stage sleeps all day) of a country, e.g. "DE", and
   * optionally one of its states or regions, e.g. "BE", as the date-holidays
   * library names them. null: no public holidays.
   */
  holidays: z.nullable(
    z.strictObject({
      country: z.string().check(z.regex(/^[A-Z]{2}$/, "must be an ISO 3166 country code such as DE")),
      region: z.nullable(z.string().check(z.regex(/^[A-Z0-9]{1,3}$/, "must be a state or region code such as BE"))),
    }),
  ),
  /** Further days the stage sleeps all day (company holidays, shutdown weeks), in the time zone above. */
  closedDates: z.array(calendarDate).check(z.maxLength(100)),
  /** The day of the week on which on-call gets the week's sleep summary (at wakeAt); null: no summary. */
  weeklySummary: z.nullable(weekday),
  /**
   * On-demand prices for the money-saved estimate, per hour. They are an
   * estimate for the stage's region and instance type: edit them when either
   * changes (AWS price list, "Fargate" and "RDS for PostgreSQL").
   */
  prices: z.strictObject({
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, "must be a currency code such as USD")),
    fargateVcpuHour: hourlyPrice,
    fargateGbHour: hourlyPrice,
    databaseInstanceHour: hourlyPrice,
  }),
});
export type ScheduleSettings = z.infer<typeof ScheduleSettingsSchema>;
