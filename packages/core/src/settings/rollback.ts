import * as z from "zod";

export const RollbackSettingsSchema = z.strictObject({
  /** Alarm ids (the part after "<stage>-<app>-") that can blame a release; any other alarm is not a release problem. */
  alarms: z.array(z.string().regex(/^[A-Za-z0-9]+$/)).min(1),
  /** At least this long between two automatic rollbacks. */
  cooldownMinutes: z.number().int().min(0).max(1440),
  /** At most this many automatic rollbacks per 24 hours. */
  dailyCap: z.number().int().min(1).max(20),
});
export type RollbackSettings = z.infer<typeof RollbackSettingsSchema>;
