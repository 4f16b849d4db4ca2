import * as z from "../zod";

export const RollbackSettingsSchema = z.strictObject({
  /** Alarm ids (the part after "<stage>-<app>-") that can blame a release; any other alarm is not a release problem. */
  alarms: z.array(z.string().check(z.regex(/^[A-Za-z0-9]+$/))).check(z.minLength(1)),
  /** At least this long between two automatic rollbacks. */
  cooldownMinutes: z.number().check(z.int()).check(z.gte(0)).check(z.lte(1440)),
  /** At most this many automatic rollbacks per 24 hours. */
  dailyCap: z.number().check(z.int()).check(z.gte(1)).check(z.lte(20)),
});
export type RollbackSettings = z.infer<typeof RollbackSettingsSchema>;
