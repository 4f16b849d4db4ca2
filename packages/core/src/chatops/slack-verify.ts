import { verifySlackRequest } from "@slack/bolt/dist/receivers/verify-request.js";

/**
 * Who is calling, before anything is parsed: Slack signs every request it
 * sends with the app's signing secret (v0: HMAC-SHA256 over
 * `v0:{timestamp}:{raw body}`). Bolt's verifier checks the signature in
 * constant time and refuses stale timestamps; what it leaves open is checked
 * here first: the body's size and type, both headers present and in
 * Slack's exact form, and a timestamp from the future (a replay window Slack never
 * needs). Pure: the clock is an argument.
 */

/** Slack's interaction payloads carry the message they came from: ours stay far below this. */
export const MAX_BODY_BYTES = 128 * 1024;
/** Slack's own rule, both ways: a request more than five minutes off is refused. */
export const MAX_SKEW_SECONDS = 300;

/**
 * Slack's headers as Slack sends them (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=` + the HMAC-SHA256 hex digest (Node's digest("hex") is lower case, as Slack's is), and
 * `X-Slack-Request-Timestamp`, Unix seconds in plain decimal. ASCII digits only: no sign, spaces or leading zero.
 */
const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^[1-9][0-9]{0,11}$/;

export interface RawRequest {
  /** Header names in lower case, as a Lambda function URL passes them. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (decoded from base64 if the URL encoded it). */
  body: string;
}

export type Verification = { ok: true } | { ok: false; status: 401 | 413 | 415; reason: string };

/** Everything that can be refused without the secret (so that garbage costs no Secrets Manager read). */
export function checkRequestShape(request: RawRequest, nowMs: number): Verification {
  if (Buffer.byteLength(request.body, "utf8") > MAX_BODY_BYTES)
    return { ok: false, status: 413, reason: `body larger than ${MAX_BODY_BYTES} bytes` };
  const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded")
    return { ok: false, status: 415, reason: `content-type ${type ?? "missing"}, not application/x-www-form-urlencoded` };
  const signature = request.headers["x-slack-signature"];
  const timestamp = request.headers["x-slack-request-timestamp"];
  if (!signature || !timestamp) return { ok: false, status: 401, reason: "no Slack signature or timestamp header" };
  // Bolt's verifier reads only up to a second "=" and parses the timestamp with Number(), so `v0=<hmac>=junk` and
  // a zero-padded timestamp would pass it: Slack's exact form is checked here instead.
  if (!SIGNATURE.test(signature)) return { ok: false, status: 401, reason: "the signature is not v0= and 64 lower-case hex digits" };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, status: 401, reason: "the timestamp is not a plain number of seconds" };
  const skew = Number(timestamp) - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > MAX_SKEW_SECONDS)
    return {
      ok: false,
      status: 401,
      reason: `the timestamp is ${Math.abs(skew)} s ${skew > 0 ? "ahead" : "old"} (a replay, or a clock off by more than 5 min)`,
    };
  return { ok: true };
}

export function verifySlackSignature(request: RawRequest, signingSecret: string, nowMs: number): Verification {
  const shape = checkRequestShape(request, nowMs);
  if (!shape.ok) return shape;
  if (!signingSecret) return { ok: false, status: 401, reason: "no signing secret is configured for this stage" };
  const signature = request.headers["x-slack-signature"] as string;
  const timestamp = request.headers["x-slack-request-timestamp"] as string;
  try {
    verifySlackRequest({
      signingSecret,
      body: request.body,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": Number(timestamp) },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch {
    return { ok: false, status: 401, reason: "the signature does not match the body" };
  }
}
