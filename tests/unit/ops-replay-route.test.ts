import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { receiversOf, ruleNotes } from "../../packages/cli/src/ops/replay/route";
import { checkScenarioEvent, readScenario, withOverrides } from "../../packages/cli/src/ops/replay/scenario";
import { stageSettings } from "../../stacks/config";
import { loadEvent } from "../fixtures/events";

const ROOT = path.resolve(import.meta.dirname, "../..");
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
    expect(ruleNotes(loadEvent("cloudwatch-alarm-single-metric"), "prod", "hands-off-ops", "eu-central-1")).toEqual([
      'In AWS the prod rule would not deliver this event: it comes from us-east-1, and the stage\'s rules are in eu-central-1 (a scenario can set "region": "{region}"). Replayed anyway.',
      "In AWS the prod rule would not deliver this event: the alarm ServerCpuTooHigh is not named prod-hands-off-ops-…. Replayed anyway.",
    ]);
    const own = withOverrides(
      loadEvent("cloudwatch-alarm-single-metric"),
      { "detail.alarmName": "{stage}-{app}-Alb5xxRate", region: "{region}" },
      { stage: "prod", app: "hands-off-ops", region: "eu-central-1" },
    );
    expect(ruleNotes(own, "prod", "hands-off-ops", "eu-central-1")).toEqual([]);
    expect(ruleNotes(loadEvent("automation-action"), "dev", "hands-off-ops", "eu-central-1").at(-1)).toContain(
      "the notice is for stage prod",
    );
  });

  it("names an ECS event from another account and cluster, and is quiet for the stage's own", () => {
    const task = withOverrides(
      loadEvent("ecs-task-state-change"),
      { "detail.lastStatus": "STOPPED" },
      { stage: "dev", app: "hands-off-ops" },
    );
    expect(ruleNotes(task, "dev", "hands-off-ops", "us-west-2")).toEqual([
      // A rule on the default bus sees its own account's events: the sample's 111122223333 is someone else's.
      'In AWS the dev rule would not deliver this event: it comes from account 111122223333, and the stage\'s is 123456789012 in a replay (a scenario can set "account"). Replayed anyway.',
      "In AWS the dev rule would not deliver this event: the cluster FargateCluster is not the stage's (dev-hands-off-ops-cluster in a replay; a scenario can set detail.clusterArn). Replayed anyway.",
    ]);
    const own = withOverrides(
      task,
      { account: "123456789012", "detail.clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/{stage}-{app}-cluster" },
      { stage: "dev", app: "hands-off-ops" },
    );
    expect(ruleNotes(own, "dev", "hands-off-ops", "us-west-2")).toEqual([]);
  });

  it("refuses a scenario written for another event, unless that event has the same content", () => {
    const scenario = readScenario(path.join(ROOT, "scenarios/alarm-during-release.json"));
    const intended = path.join(ROOT, scenario.forEvent ?? "");
    expect(() =>
      checkScenarioEvent(scenario, "alarm-during-release.json", intended, JSON.parse(readFileSync(intended, "utf8")), ROOT),
    ).not.toThrow();
    const copy = path.join(mkdtempSync(path.join(tmpdir(), "event-")), "copy.json");
    copyFileSync(intended, copy);
    expect(() =>
      checkScenarioEvent(scenario, "alarm-during-release.json", copy, JSON.parse(readFileSync(copy, "utf8")), ROOT),
    ).not.toThrow();
    expect(() =>
      checkScenarioEvent(
        scenario,
        "alarm-during-release.json",
        "tests/fixtures/events/ecs-task-state-change.json",
        loadEvent("ecs-task-state-change"),
        ROOT,
      ),
    ).toThrow(
      `The scenario alarm-during-release.json is written for ${scenario.forEvent}, not tests/fixtures/events/ecs-task-state-change.json: replay that event with it, or write a scenario for this one (or drop "forEvent" to use it with any event).`,
    );
    expect(() => checkScenarioEvent({ ...scenario, forEvent: undefined }, "x.json", "any.json", {}, ROOT)).not.toThrow();
  });

  it("overrides leave the original event untouched", () => {
    const event = loadEvent("automation-action");
    const changed = withOverrides(event, { "detail.stage": "{stage}" }, { stage: "dev", app: "x" }) as typeof event;
    expect(changed.detail.stage).toBe("dev");
    expect(event.detail.stage).toBe("prod");
  });
});
