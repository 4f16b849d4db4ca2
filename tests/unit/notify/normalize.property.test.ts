import { Severity } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { renderEmail } from "@hands-off-ops/core/notify/render/email";
import { renderSlack, SLACK_LIMITS } from "@hands-off-ops/core/notify/render/slack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_FIXTURES, loadEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";

/** Whatever arrives, the notifier answers with a message a person can read, or a stated reason to stay silent. */
function checkOutcome(event: unknown) {
  const normalized = normalize(event, PROD_CONTEXT);
  if (normalized.kind === "ignored") {
    expect(normalized.reason.length).toBeGreaterThan(0);
    return;
  }
  const { message } = normalized;
  expect(Severity.options).toContain(message.severity);
  expect(message.title.length).toBeGreaterThan(0);
  if (message.source.kind === "unrecognised") expect(message.rejection?.length).toBeGreaterThan(0);
  const slack = renderSlack(message);
  expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(renderEmail(message).subject).toMatch(/^[\x20-\x7e]{1,99}$/);
}

describe("any input → a message or a clear rejection, never a throw", () => {
  it("for any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), checkOutcome), { numRuns: 500 });
  });

  it("for any JSON object in an EventBridge envelope of a known source", () => {
    const envelopes = fc.record({
      id: fc.uuid(),
      "detail-type": fc.constantFrom(...EVENT_FIXTURES.map((name) => loadEvent(name)["detail-type"] as string)),
      source: fc.constantFrom("aws.cloudwatch", "aws.codedeploy", "aws.ecs", "aws.rds", "hands-off-ops"),
      time: fc.date({ noInvalidDate: true, min: new Date("2000-01-01"), max: new Date("2100-01-01") }).map((d) => d.toISOString()),
      region: fc.constant("eu-central-1"),
      detail: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(fc.property(envelopes, checkOutcome), { numRuns: 500 });
  });

  it("for the real fixtures with any one field replaced by any JSON value", () => {
    const mutated = fc.tuple(fc.constantFrom(...EVENT_FIXTURES), fc.jsonValue(), fc.nat()).map(([name, value, pick]) => {
      const event = loadEvent(name);
      const keys = Object.keys(event.detail ?? {});
      const key = keys[pick % Math.max(1, keys.length)] ?? "x";
      event.detail[key] = value;
      return event;
    });
    fc.assert(fc.property(mutated, checkOutcome), { numRuns: 500 });
  });
});
