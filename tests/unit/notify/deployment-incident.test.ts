import { alarmLinkOf, joinIncident } from "@hands-off-ops/core/notify/deployment-incident";
import { describe, expect, it } from "vitest";
import { deploymentEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

const ALARM_KEY = "alarm:prod-hands-off-ops-Alb5xxRate";
const join = (state: Parameters<typeof deploymentEvent>[0], part: "bad-release" | "rollback", rollbackId?: string) =>
  joinIncident(messageOf(deploymentEvent(state, "d-DEPLOY1")), { key: ALARM_KEY, part }, rollbackId);

describe("a CodeDeploy event of a deployment an incident concerns is a step of it", () => {
  it.each([
    ["START", "CodeDeploy started rollback deployment d-DEPLOY1 (in progress).", false, "info"],
    ["READY", "Rollback deployment d-DEPLOY1: the previous version's tasks are ready (in progress).", false, "info"],
    ["SUCCESS", "Rolled back: rollback deployment d-DEPLOY1 succeeded, the previous version serves all traffic.", false, "info"],
    ["FAILURE", "Rollback deployment d-DEPLOY1 FAILED: the bad release may still be serving.", true, "critical"],
    ["STOP", "Rollback deployment d-DEPLOY1 was stopped before it finished.", true, "critical"],
  ] as const)("the rollback's %s: %s", (state, did, escalates, severity) => {
    const message = join(state, "rollback");
    expect(message.incident).toEqual({ role: "step", key: ALARM_KEY, did, escalates, deployments: [] });
    expect(message.severity).toBe(severity);
  });

  it.each([
    ["START", "Release d-DEPLOY1 started."],
    ["READY", "Release d-DEPLOY1: its new tasks are ready."],
    ["SUCCESS", "Release d-DEPLOY1 finished: it serves all traffic."],
    ["STOP", "CodeDeploy stopped release d-DEPLOY1."],
    ["FAILURE", "CodeDeploy marked release d-DEPLOY1 failed."],
  ] as const)("the blamed release's %s: %s, no call for a person", (state, did) => {
    expect(join(state, "bad-release").incident).toMatchObject({ did, escalates: false });
  });

  it("does not ask who stopped a release the incident's own alarm stopped: it says so, and what to do next", () => {
    const alone = messageOf(deploymentEvent("STOP", "d-DEPLOY1"));
    expect(alone.nextStep).toMatch(/^Check who or what stopped it/);
    const message = join("STOP", "bad-release");
    expect(`${message.summary} ${message.nextStep}`).not.toMatch(/who or what stopped|by a person or by the automation/);
    expect(message.summary).toBe(
      "The release was stopped before it finished, in answer to prod-hands-off-ops-Alb5xxRate: this incident's steps say what asked for the stop.",
    );
    expect(message.nextStep).toBe("Follow the rollback in this incident; find the cause in release d-DEPLOY1 before shipping it again.");
  });

  it("names the rollback CodeDeploy started for a failed release, and links it to the incident", () => {
    const message = join("FAILURE", "bad-release", "d-ROLLBK1");
    expect(message.incident).toMatchObject({
      did: "CodeDeploy marked release d-DEPLOY1 failed. CodeDeploy started rollback deployment d-ROLLBK1.",
      deployments: [{ deploymentId: "d-ROLLBK1", part: "rollback" }],
    });
  });
});

describe("the incident CodeDeploy's own report points at", () => {
  const releaseAlarms = ["prod-hands-off-ops-Alb5xxRate", "prod-hands-off-ops-TargetP99Latency"];

  it("is the release alarm its error names (ALARM_ACTIVE)", () => {
    const report = {
      error: {
        code: "ALARM_ACTIVE",
        message:
          "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <prod-hands-off-ops-TargetP99Latency>",
      },
    };
    expect(alarmLinkOf(report, releaseAlarms)).toEqual({ key: "alarm:prod-hands-off-ops-TargetP99Latency", part: "bad-release" });
  });

  it("is none when the error names no alarm of the stage, or there is no error", () => {
    expect(alarmLinkOf({ error: { code: "HEALTH_CONSTRAINTS", message: "too many tasks failed" } }, releaseAlarms)).toBeUndefined();
    expect(alarmLinkOf({}, releaseAlarms)).toBeUndefined();
  });
});
