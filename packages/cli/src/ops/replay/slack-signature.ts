import { createHmac } from "node:crypto";

/**
 * A request signed as Slack signs its requests (v0: HMAC-SHA256 of
 * "v0:{timestamp}:{raw body}" with the app's signing secret), for replaying a
 * press locally with a test secret. The product only verifies (chatops/slack-verify.ts).
 */
export function signAsSlack(body: string, secret: string, timestamp: number) {
  return {
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  } as Record<string, string | undefined>;
}
