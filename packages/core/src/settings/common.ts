import * as z from "../zod";

/** Settings fields shared by the stage schema and the parts the Lambdas parse on their own. */

export const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24 h)"));
export const ianaTimeZone = z.string().check(z.refine(isIanaTimeZone, "must be an IANA time zone such as Europe/Berlin"));
export const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

export const AutomationMode = z.enum(["enforce", "dry-run"]);
export type AutomationMode = z.infer<typeof AutomationMode>;

export const StageKind = z.enum(["production", "staging", "development"]);
export type StageKind = z.infer<typeof StageKind>;

function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
