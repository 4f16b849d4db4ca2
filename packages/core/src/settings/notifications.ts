import { Severity } from "../notify/message";
import * as z from "../zod";

const slackChannel = z.nullable(
  z
    .string()
    .check(
      z.regex(
        /^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,})$/,
        "must be a channel name such as #ops-oncall or a channel id such as C0123456789",
      ),
    ),
);

export const NotificationSettingsSchema = z.strictObject({
  slack: z.strictObject({
    /** web-api: a bot token, threads and graphs; webhook: an incoming webhook, one channel, no threads; off: e-mail only. */
    mode: z.enum(["web-api", "webhook", "off"]),
    /** Where each severity goes; null keeps that severity out of Slack. */
    channels: z.strictObject({ critical: slackChannel, warning: slackChannel, info: slackChannel, resolved: slackChannel }),
  }),
  /** Which severities also go to the on-call topic (e-mail). */
  emailSeverities: z.array(Severity),
  /** Repeats of the same alarm or crash within this many minutes of the last one update one message. */
  collapseWindowMinutes: z.number().check(z.int()).check(z.gte(1)).check(z.lte(1440)),
  /**
   * An incident whose alarm is still in ALARM this many hours after it opened gets one reminder, a reply in its
   * Slack thread (never a new page); null: none.
   */
  remindAfterHours: z.nullable(z.number().check(z.int()).check(z.gte(1)).check(z.lte(168))),
});
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;
