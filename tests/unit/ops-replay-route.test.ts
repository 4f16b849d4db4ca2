import { describe, expect, it } from "vitest";
import { receiversOf, ruleNotes } from "../../packages/cli/src/ops/replay/route";
import { withOverrides } from "../../packages/cli/src/ops/replay/scenario";
import { stageSettings } from "../../stacks/config";
import { loadEvent } from "../fixtures/events";

const prod = stageSettings("prod");
const dev = stageSettings("dev");

describe("which functions an event reaches", () => {
  it("follows the stage's rules: alarms to notify and rollback, releases to the watch only where it is on", () => {
    expect(receiversOf(loadEvent("cloudwatch-alarm-composite"), prod, undefined)).toEqual([{ fn: "notify" }, { fn: "rollback" }]);
    expect(receiversOf(loadEvent("codedeploy-deployment-state-change"), prod, undefined).map((r) => r.fn)).toEqual(
      prod.canary.watch.enabled ? ["notify", "canary-watch"] : ["notify"],
    );
    expect(receiversOf({ action: "sleep" }, dev, undefined)).toEqual([{ fn: "schedule" }]);
    expect(() => receiversOf({ action: "sleep" }, prod, undefined)).toThrow("a production stage is never scheduled down");
    expect(() => receiversOf([], prod, undefined)).toThrow("The event is not a JSON object.");
  });
});

describe("what the stage's rule would filter out", () => {
  it("names the alarm, the task status, the other stage", () => {
    expect(ruleNotes(loadEvent("cloudwatch-alarm-single-metric"), "prod", "hands-off-ops")).toEqual([
      "In AWS the prod rule would not deliver this event: the alarm ServerCpuTooHigh is not named prod-hands-off-ops-…. Replayed anyway.",
    ]);
    const own = withOverrides(
      loadEvent("cloudwatch-alarm-single-metric"),
      { "detail.alarmName": "{stage}-{app}-Alb5xxRate" },
      { stage: "prod", app: "hands-off-ops" },
    );
    expect(ruleNotes(own, "prod", "hands-off-ops")).toEqual([]);
    expect(ruleNotes(loadEvent("automation-action"), "dev", "hands-off-ops")[0]).toContain("the notice is for stage prod");
  });

  it("overrides leave the original event untouched", () => {
    const event = loadEvent("automation-action");
    const changed = withOverrides(event, { "detail.stage": "{stage}" }, { stage: "dev", app: "x" }) as typeof event;
    expect(changed.detail.stage).toBe("dev");
    expect(event.detail.stage).toBe("prod");
  });
});
