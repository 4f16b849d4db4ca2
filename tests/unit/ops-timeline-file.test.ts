import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readTimeline } from "../../packages/cli/src/ops/replay/timeline-file";
import { stageSettings } from "../../stacks/config";

/** A timeline is a story AWS could tell; and its replay gives each Slack message its own ts, as Slack does. */

const ROOT = path.resolve(import.meta.dirname, "../..");
const story = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "timelines", `${name}.json`), "utf8"));
let replayTimeline: typeof import("../../packages/cli/src/ops/replay/timeline").replayTimeline;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ replayTimeline } = await import("../../packages/cli/src/ops/replay/timeline"));
});

describe("a timeline AWS could never produce is refused, naming the step", () => {
  it("an event delivered before it happened", () => {
    const timeline = story("alarm-no-release");
    timeline.steps[1].deliveredAfter = timeline.steps[1].after - 1;
    expect(() => readTimeline("t.json", timeline)).toThrow(/step 1 is delivered at \+\d+ s, before it happened/);
  });

  it.each([
    ["another event file", { event: "tests/fixtures/events/ecs-task-state-change.json" }],
    ["overrides of its own", { overrides: { "detail.state.value": "OK" } }],
    ["another time", { after: 5 }],
  ])("a repeated delivery with %s", (_, change) => {
    const timeline = story("bad-release-during-canary");
    const duplicate = timeline.steps.findIndex((step: { duplicateOf?: number }) => step.duplicateOf !== undefined);
    Object.assign(timeline.steps[duplicate], change);
    expect(() => readTimeline("t.json", timeline)).toThrow(`step ${duplicate} is a repeated delivery of step 0, so it is the same event`);
  });

  it("takes the shipped timelines as they are", () => {
    expect(() => readTimeline("t.json", story("bad-release-during-canary"))).not.toThrow();
  });
});

describe("the replay's Slack", () => {
  it("gives every top-level message its own ts, whichever step posts it", async () => {
    const file = path.join(ROOT, "timelines", "bad-release-in-bake-window-by-hand.json");
    const { lines } = await replayTimeline(readTimeline(file, story("bad-release-in-bake-window-by-hand")), "prod", stageSettings("prod"), {
      messagesOnly: false,
    });
    const threads = new Set(lines.flatMap((line) => [...line.matchAll(/in thread (\d+\.\d+)/g)].map((m) => m[1])));
    // A release's thread and the incident's: two messages, two threads.
    expect(threads.size).toBe(2);
  });
});
