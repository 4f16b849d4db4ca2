import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { Answers } from "../recording";

/** The Slack secret as the stage's mode needs it: a bot token (web-api) or a webhook URL, and a signing secret. */
export const REPLAY_WEBHOOK_URL = "https://hooks.slack.com/services/T0REPLAY/B0REPLAY/replay";

export function secretsManagerAnswers(secret: { mode: "web-api" | "webhook" | "off"; signingSecret?: string }): Answers {
  const value =
    secret.mode === "web-api" ? { botToken: "xoxb-replay" } : secret.mode === "webhook" ? { webhookUrl: REPLAY_WEBHOOK_URL } : {};
  return new Answers().set(
    GetSecretValueCommand,
    (input) => ({
      ARN: input.SecretId,
      SecretString: JSON.stringify({ ...value, ...(secret.signingSecret ? { signingSecret: secret.signingSecret } : {}) }),
    }),
    (input) =>
      `${input.SecretId?.split(":").at(-1)}: ${secret.mode === "web-api" ? "a bot token" : secret.mode === "webhook" ? "a webhook URL" : "nothing"}${secret.signingSecret ? " and the signing secret" : ""}`,
  );
}
