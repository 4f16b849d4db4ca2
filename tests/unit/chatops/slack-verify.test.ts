import { MAX_BODY_BYTES, verifySlackSignature } from "@hands-off-ops/core/chatops/slack-verify";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formBody, NOW, pressPayload, SECRET, sign } from "./signed-requests";

const valid = () => sign(formBody(pressPayload()));

describe("Slack's signature, checked before anything is parsed", () => {
  it("accepts a request signed with the stage's secret within five minutes", () => {
    expect(verifySlackSignature(valid(), SECRET, NOW)).toEqual({ ok: true });
    expect(verifySlackSignature(sign("payload=x", Math.floor(NOW / 1000) - 299), SECRET, NOW)).toEqual({ ok: true });
  });

  it.each([
    [
      "a forged signature",
      { ...valid(), headers: { ...valid().headers, "x-slack-signature": `v0=${"0".repeat(64)}` } },
      401,
      /signature does not match/,
    ],
    ["an altered body", { ...valid(), body: `${valid().body}&x=1` }, 401, /signature does not match/],
    ["another secret", sign("payload=x", undefined, "0".repeat(32)), 401, /signature does not match/],
    ["a stale timestamp (a replay)", sign("payload=x", Math.floor(NOW / 1000) - 301), 401, /301 s old/],
    ["a future timestamp", sign("payload=x", Math.floor(NOW / 1000) + 301), 401, /301 s ahead/],
    ["no signature header", { ...valid(), headers: { ...valid().headers, "x-slack-signature": undefined } }, 401, /no Slack signature/],
    [
      "no timestamp header",
      { ...valid(), headers: { ...valid().headers, "x-slack-request-timestamp": undefined } },
      401,
      /no Slack signature/,
    ],
    [
      "a timestamp that is not a number",
      { ...valid(), headers: { ...valid().headers, "x-slack-request-timestamp": "1e9" } },
      401,
      /not a plain number/,
    ],
    [
      "an unknown signature version",
      { ...valid(), headers: { ...valid().headers, "x-slack-signature": "v1=abc" } },
      401,
      /not v0= and 64 lower-case hex/,
    ],
    ["a JSON body", { ...valid(), headers: { ...valid().headers, "content-type": "application/json" } }, 415, /application\/json/],
    ["no content type", { ...valid(), headers: { ...valid().headers, "content-type": undefined } }, 415, /missing/],
    ["an oversized body", sign(`payload=${"x".repeat(MAX_BODY_BYTES)}`), 413, /larger than/],
  ] as const)("refuses %s", (_what, request, status, reason) => {
    const result = verifySlackSignature(request, SECRET, NOW);
    expect(result).toMatchObject({ ok: false, status });
    expect(result.ok === false && result.reason).toMatch(reason);
  });

  it("refuses everything while the stage has no signing secret", () => {
    expect(verifySlackSignature(valid(), "", NOW)).toMatchObject({ ok: false, status: 401, reason: /no signing secret/ });
  });

  it("refuses any change to a valid request's body, signature or timestamp (property)", () => {
    const request = valid();
    const mutation = fc.oneof(
      fc.record({ field: fc.constant("body" as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({ field: fc.constant("x-slack-signature" as const), at: fc.nat(), char: fc.constantFrom(..."0123456789abcdef") }),
      fc.record({
        field: fc.constant("x-slack-request-timestamp" as const),
        at: fc.nat(),
        char: fc.integer({ min: 0, max: 9 }).map(String),
      }),
    );
    fc.assert(
      fc.property(mutation, ({ field, at, char }) => {
        const original = field === "body" ? request.body : (request.headers[field] as string);
        const index = at % original.length;
        const changed = original.slice(0, index) + char + original.slice(index + 1);
        fc.pre(changed !== original);
        const mutated =
          field === "body" ? { ...request, body: changed } : { ...request, headers: { ...request.headers, [field]: changed } };
        expect(verifySlackSignature(mutated, SECRET, NOW).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * Slack's exact header form (https://api.slack.com/authentication/verifying-requests-from-slack): each variant below
 * carries the valid HMAC of the untouched request, so only the header's form can refuse it. Bolt's verifier alone
 * accepts the first ones (it splits the signature at "=" and reads the timestamp with Number()).
 */
describe("Slack's headers, in their exact form only", () => {
  const request = valid();
  const signature = request.headers["x-slack-signature"] as string;
  const timestamp = request.headers["x-slack-request-timestamp"] as string;
  const withHeader = (name: string, value: string) => ({ ...request, headers: { ...request.headers, [name]: value } });

  it.each([
    ["a suffix after a second =", `${signature}=anything`],
    ["an empty suffix after a second =", `${signature}=`],
    ["upper-case hex", `v0=${signature.slice(3).toUpperCase()}`],
    ["an upper-case version", `V0=${signature.slice(3)}`],
    ["a leading space", ` ${signature}`],
    ["a trailing space", `${signature} `],
    ["a second signature joined by a comma (a repeated header)", `${signature},${signature}`],
    ["a truncated digest", signature.slice(0, -1)],
    ["a digest one digit too long", `${signature}0`],
  ])("refuses a signature with %s", (_what, value) => {
    expect(verifySlackSignature(withHeader("x-slack-signature", value), SECRET, NOW)).toEqual({
      ok: false,
      status: 401,
      reason: "the signature is not v0= and 64 lower-case hex digits",
    });
  });

  it.each([
    ["a leading zero", `0${timestamp}`],
    ["a plus sign", `+${timestamp}`],
    ["a leading space", ` ${timestamp}`],
    ["a trailing space", `${timestamp} `],
    ["a decimal point", `${timestamp}.0`],
    ["an exponent", `${Number(timestamp) / 10}e1`],
    ["non-ASCII digits", timestamp.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
    ["a hex form", `0x${Number(timestamp).toString(16)}`],
  ])("refuses a timestamp with %s", (_what, value) => {
    expect(verifySlackSignature(withHeader("x-slack-request-timestamp", value), SECRET, NOW)).toEqual({
      ok: false,
      status: 401,
      reason: "the timestamp is not a plain number of seconds",
    });
  });

  it("still accepts the exact form (the same request, untouched)", () => {
    expect(signature).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifySlackSignature(request, SECRET, NOW)).toEqual({ ok: true });
  });
});
