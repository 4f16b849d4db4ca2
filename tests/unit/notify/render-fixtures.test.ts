import { normalize } from "@hands-off-ops/core/notify/normalize";
import { renderEmail } from "@hands-off-ops/core/notify/render/email";
import { renderSlack } from "@hands-off-ops/core/notify/render/slack";
import { describe, expect, it } from "vitest";
import {
  type AnyEvent,
  backToOk,
  deploymentEvent,
  EVENT_FIXTURES,
  loadEvent,
  releaseAlarmEvent,
  STOPS,
  stoppedTask,
} from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";

/**
 * Every fixture and variant, rendered for Slack (Block Kit JSON) and e-mail
 * (plain text) into readable files under __renders__/: reviewed by eye when
 * they change, compared exactly on every run.
 */
const cases: [string, AnyEvent][] = [
  ...EVENT_FIXTURES.map((name): [string, AnyEvent] => [name, loadEvent(name)]),
  ["release-alarm", releaseAlarmEvent()],
  ["release-alarm-ok", backToOk(releaseAlarmEvent(), "9a1e6f0c-1111-4c2b-8d3e-0f1a2b3c4d5e", "2019-10-02T17:19:40Z")],
  ...(["START", "READY", "FAILURE", "STOP"] as const).map((state): [string, AnyEvent] => [
    `deployment-${state.toLowerCase()}`,
    deploymentEvent(state),
  ]),
  ...(Object.keys(STOPS) as (keyof typeof STOPS)[]).map((stop): [string, AnyEvent] => [`task-${stop}`, stoppedTask(stop)]),
  ["not-an-event", { hello: "world", list: [1, 2, 3] }],
  ["unknown-source", { ...loadEvent("ecs-task-state-change"), source: "aws.health", "detail-type": "AWS Health Event" }],
];

describe("every fixture renders to readable Slack and e-mail messages", () => {
  it.each(cases)("%s", async (name, event) => {
    const normalized = normalize(event, PROD_CONTEXT);
    if (normalized.kind === "ignored") {
      await expect(`ignored: ${normalized.reason}\n`).toMatchFileSnapshot(`__renders__/${name}.ignored.txt`);
      return;
    }
    const email = renderEmail(normalized.message);
    await expect(`Subject: ${email.subject}\n\n${email.body}\n`).toMatchFileSnapshot(`__renders__/${name}.email.txt`);
    await expect(`${JSON.stringify(renderSlack(normalized.message), null, 2)}\n`).toMatchFileSnapshot(`__renders__/${name}.slack.json`);
  });
});
