import type { NotificationSettings } from "../settings/schema";
import type { OpsMessage } from "./message";

export interface Route {
  /** The Slack channel for this message, or null to keep it out of Slack. */
  slackChannel: string | null;
  email: boolean;
}

/** Where a message goes, from the stage's settings: by severity, Slack channel and whether on-call gets an e-mail. */
export function route(message: Pick<OpsMessage, "severity">, settings: NotificationSettings): Route {
  const slackChannel = settings.slack.mode === "off" ? null : settings.slack.channels[message.severity];
  return { slackChannel, email: settings.emailSeverities.includes(message.severity) };
}
