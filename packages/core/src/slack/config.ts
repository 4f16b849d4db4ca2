import type { NotificationSettings } from "../settings/schema";
import * as z from "../zod";

/**
 * The Slack secret of a stage (Secrets Manager, JSON). The stack creates it
 * empty; a person puts the bot token or the webhook address into it:
 *   { "botToken": "xoxb-…" }   or   { "webhookUrl": "https://hooks.slack.com/services/…" }
 * and, for buttons that act, the app's signing secret: { "signingSecret": "…" }.
 */
const SlackSecret = z.looseObject({
  botToken: z.optional(z.string().check(z.regex(/^xox[bp]-[A-Za-z0-9-]+$/, "must be a Slack bot token (xoxb-…)"))),
  webhookUrl: z.optional(z.url({ protocol: /^https$/ })),
  signingSecret: z.optional(
    z.string().check(z.regex(/^[0-9a-f]{32}$/, "must be the Slack app's signing secret (32 hexadecimal characters)")),
  ),
});

/** The signing secret the interactivity endpoint verifies requests with; "" (every request refused) when none is set. */
export function readSigningSecret(secret: unknown): string {
  const parsed = SlackSecret.safeParse(secret);
  return parsed.success ? (parsed.data.signingSecret ?? "") : "";
}

export type SlackConfig =
  | { kind: "web-api"; botToken: string }
  | { kind: "webhook"; webhookUrl: string }
  | { kind: "unconfigured"; reason: string };

export function readSlackConfig(secret: unknown, mode: NotificationSettings["slack"]["mode"]): SlackConfig {
  if (mode === "off") return { kind: "unconfigured", reason: "Slack is off in the stage's settings" };
  const parsed = SlackSecret.safeParse(secret);
  if (!parsed.success)
    return { kind: "unconfigured", reason: `the Slack secret is not valid: ${parsed.error.issues[0]?.message ?? "unknown"}` };
  if (mode === "web-api") {
    return parsed.data.botToken
      ? { kind: "web-api", botToken: parsed.data.botToken }
      : { kind: "unconfigured", reason: 'the Slack secret has no "botToken" (mode web-api)' };
  }
  return parsed.data.webhookUrl
    ? { kind: "webhook", webhookUrl: parsed.data.webhookUrl }
    : { kind: "unconfigured", reason: 'the Slack secret has no "webhookUrl" (mode webhook)' };
}
