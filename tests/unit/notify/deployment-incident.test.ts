import { alarmLinkOf, joinIncident } from "@hands-off-ops/core/notify/deployment-incident";
import { describe, expect, it } from "vitest";
import { deploymentEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

const ALARM_KEY = "alarm:prod-hands-off-ops-Alb5xxRate";
const join = (state: Parameters<typeof deploymentEvent>[0], part: "bad-release" | "rollback", rollbackId?: string) =>
  joinIncident(messageOf(deploymentEvent(state, "d-DEPLOY1")), { key: ALARM_KEY, part }, rollbackId);

describe("a CodeDeploy event of a deployment an incident concerns is a step of it", () => {
  it.each([
    ["START", "CodeDeploy started rollback deployment d-DEPLOY1 (in progress).", false, "info", { handled: true }],
    ["READY", "Rollback deployment d-DEPLOY1: the previous version's tasks are ready (in progress).", false, "info", { handled: true }],
    [
      "SUCCESS",
      "Rolled back: rollback deployment d-DEPLOY1 succeeded, the previous version serves all traffic.",
      false,
      "info",
      // The previous version serves again: the incident's crashes are over.
      { handled: true, ends: true },
    ],
    ["FAILURE", "Rollback deployment d-DEPLOY1 FAILED: the bad release may still be serving.", true, "critical", { handled: false }],
    ["STOP", "Rollback deployment d-DEPLOY1 was stopped before it finished.", true, "critical", { handled: false }],
  ] as const)("the rollback's %s: %s", (state, did, escalates, severity, flags) => {
    const message = join(state, "rollback");
    expect(message.incident).toEqual({ role: "step", key: ALARM_KEY, did, escalates, deployments: [], ...flags });
    expect(message.severity).toBe(severity);
  });

  it.each([
    ["START", "Release d-DEPLOY1 started.", undefined],
    ["READY", "Release d-DEPLOY1: its new tasks are ready.", undefined],
    ["SUCCESS", "Release d-DEPLOY1 finished: it serves all traffic.", undefined],
    // Stopped or failed, the release takes no more traffic: nothing asks a person to stop it.
    ["STOP", "CodeDeploy stopped release d-DEPLOY1.", true],
    ["FAILURE", "CodeDeploy marked release d-DEPLOY1 failed.", true],
  ] as const)("the blamed release's %s: %s, no call for a person", (state, did, handled) => {
    const { incident } = join(state, "bad-release");
    expect(incident).toMatchObject({ did, escalates: false });
    expect(incident?.role === "step" && incident.handled).toBe(handled);
  });

  it("a stopped release's reply does not send on-call looking for who stopped it: the incident's thread says", () => {
    // Timelines two-alarms-one-canary: "Check who or what stopped it" right under the automation's own stop notice.
    const message = join("STOP", "bad-release");
    expect(message.summary).toContain("What asked for the stop");
    expect(message.nextStep).toBe("Nothing to stop any more: find the cause in the stopped release before shipping it again.");
    // On its own, the STOP cannot know, and says who can have stopped it: CodeDeploy itself, on an alarm, too.
    const alone = messageOf(deploymentEvent("STOP", "d-DEPLOY1"));
    expect(alone.summary).toContain("by CodeDeploy itself when an alarm its deployment group watches went off");
    expect(alone.nextStep).toMatch(/^Check who or what stopped it/);
  });

  it("a rollback's start and success say the previous version comes back, not that users are on a new one", () => {
    // Timelines crash-loop-after-release: "All traffic is on the new version" under "Rolled back: d-R succeeded".
    expect(join("SUCCESS", "rollback").summary).toBe(
      "Rollback deployment d-DEPLOY1 succeeded: the previous version serves all traffic again.",
    );
    expect(join("START", "rollback").summary).toMatch(
      /^CodeDeploy started rollback deployment d-DEPLOY1: the previous version's tasks start/,
    );
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
