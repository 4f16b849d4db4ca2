import { ECS_HOOKS } from "@hands-off-ops/core/release/appspec";
import { type DeploymentSnapshot, rollbackProgress, withinDeadline } from "@hands-off-ops/core/release/progress";
import {
  CUSTOM_RESOURCE_MAX_SECONDS,
  RELEASE_PROVIDER,
  releaseWaitPlan,
  TASKS_AND_SHIFTS_MINUTES,
} from "@hands-off-ops/core/release/wait-budget";
import { approvalGateAt, StageSettingsSchema } from "@hands-off-ops/core/settings/schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

/**
 * CloudFormation waits for a custom resource until its ServiceTimeout, 3,600 s at most
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html).
 * The provider framework's waiter retries isComplete every queryInterval, totalTimeout/queryInterval times
 * (aws-cdk-lib 2.224, custom-resources/lib/provider-framework/util.js calculateRetryPolicy).
 */
const HOOK_TIMEOUT_SECONDS = 300; // stacks/canary.ts: each CodeDeploy hook function's timeout

/** Release settings within the settings schema's own limits (settings/schema.ts, settings/canary.ts). */
const releaseSettings = fc.record({
  canaryPercent: fc.integer({ min: 1, max: 100 }),
  canaryMinutes: fc.integer({ min: 1, max: 2880 }),
  approvalMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 45 })),
  hooks: fc.subarray([...ECS_HOOKS]),
  hookTimeoutSeconds: fc.integer({ min: 1, max: 900 }),
});

describe("releaseWaitPlan: no release settings make Custom::Release wait past CloudFormation's hour", () => {
  it("for any settings, an accepted plan answers CloudFormation within 3,600 s, and a refused one could not", () => {
    fc.assert(
      fc.property(releaseSettings, (s) => {
        const waits = {
          canaryMinutes: s.canaryPercent === 100 ? 1 : s.canaryMinutes,
          approvalMinutes: s.approvalMinutes,
          hookTimeoutsSeconds: s.hooks.map(() => s.hookTimeoutSeconds),
        };
        const plan = releaseWaitPlan(waits);
        const needed =
          (TASKS_AND_SHIFTS_MINUTES + waits.canaryMinutes + waits.approvalMinutes) * 60 + s.hooks.length * s.hookTimeoutSeconds;
        const p = RELEASE_PROVIDER;
        if (!plan.fits) {
          // Refused only when even the needed wait, with the provider's own seconds, would pass the hour.
          expect(p.frameworkSeconds + needed + p.queryIntervalSeconds + 2 * p.isCompleteTimeoutSeconds).toBeGreaterThan(
            CUSTOM_RESOURCE_MAX_SECONDS,
          );
          expect(plan.problem).toMatch(/release\.canaryMinutes/);
          return;
        }
        // The latest answer, from the waiter's own figures: the poll before the deadline starts just short of it and
        // runs its isComplete timeout, the next starts a query interval later and fails within another timeout.
        const latest = p.frameworkSeconds + plan.deadlineSeconds + p.queryIntervalSeconds + 2 * p.isCompleteTimeoutSeconds;
        expect(plan.worstCaseAnswerSeconds).toBe(latest);
        expect(latest).toBeLessThanOrEqual(CUSTOM_RESOURCE_MAX_SECONDS);
        expect(plan.serviceTimeoutSeconds).toBeLessThanOrEqual(CUSTOM_RESOURCE_MAX_SECONDS);
        expect(plan.serviceTimeoutSeconds).toBeGreaterThanOrEqual(plan.worstCaseAnswerSeconds);
        // The framework's backstop: an integral number of polls, past the deadline, within the hour.
        expect(plan.totalTimeoutSeconds % p.queryIntervalSeconds).toBe(0);
        expect(plan.totalTimeoutSeconds).toBeGreaterThan(plan.deadlineSeconds);
        expect(plan.totalTimeoutSeconds).toBeLessThanOrEqual(CUSTOM_RESOURCE_MAX_SECONDS);
        // And `sst deploy` never gives up on a release that is doing what its settings say.
        expect(plan.deadlineSeconds).toBeGreaterThanOrEqual(needed);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts prod's own settings with the approval gate on (the case that used to wait 75 minutes)", () => {
    const prod = stageSettings("prod");
    const chatops = {
      ...prod.chatops,
      teamId: "T0TEAM0001",
      allow: { ...prod.chatops.allow, approve: { users: ["U0ALICE001"], groups: [], anyone: false } },
    };
    const gated = StageSettingsSchema.parse({ ...prod, chatops });
    expect(approvalGateAt(gated)).not.toBeNull();
    const hooks = ECS_HOOKS.filter((hook) => gated.canary.hooks[hook].length > 0);
    const plan = releaseWaitPlan({
      canaryMinutes: gated.release.canaryMinutes,
      approvalMinutes: gated.canary.approval.deadlineMinutes,
      hookTimeoutsSeconds: hooks.map(() => HOOK_TIMEOUT_SECONDS),
    });
    // 8 + 2 × 5 + 30 + 5 = 53 minutes of release; the answer by 3,330 s.
    expect(plan).toEqual({
      fits: true,
      deadlineSeconds: 3180,
      totalTimeoutSeconds: 3210,
      worstCaseAnswerSeconds: 3330,
      serviceTimeoutSeconds: 3600,
    });
  });

  it("refuses a canary window that cannot fit, saying by how much", () => {
    const plan = releaseWaitPlan({ canaryMinutes: 30, approvalMinutes: 30, hookTimeoutsSeconds: [300, 300] });
    expect(plan).toEqual({
      fits: false,
      problem:
        "A release of this stage may take 78 minutes (8 to start tasks and shift traffic, 10 for 2 hook function(s), 30 at the approval gate, 30 of canary), but CloudFormation waits 60 minutes at most for Custom::Release (ServiceTimeout), 3 of them for the release provider itself: shorten release.canaryMinutes or canary.approval.deadlineMinutes by 21 minute(s) together, or turn the approval gate off (docs/releases.md).",
    });
    // The 21 minutes are exact: one fewer is still too long.
    expect(releaseWaitPlan({ canaryMinutes: 9, approvalMinutes: 30, hookTimeoutsSeconds: [300, 300] }).fits).toBe(true);
    expect(releaseWaitPlan({ canaryMinutes: 10, approvalMinutes: 30, hookTimeoutsSeconds: [300, 300] }).fits).toBe(false);
  });
});

describe("the release's deadline", () => {
  const deadline = new Date("2026-12-02T09:00:00Z");
  const waiting = { kind: "waiting", step: "AfterAllowTestTraffic (InProgress)" } as const;

  it("fails a release still waiting at its deadline, saying that the stack's rollback stops it", () => {
    expect(withinDeadline(waiting, new Date("2026-12-02T08:59:59Z"), deadline)).toEqual(waiting);
    expect(withinDeadline(waiting, deadline, deadline)).toEqual({
      kind: "failed",
      reason:
        "Not live by 2026-12-02T09:00:00.000Z, the release's deadline within CloudFormation's hour (at AfterAllowTestTraffic (InProgress)). The stack rolls back, which stops the deployment with rollback.",
    });
  });

  it("leaves a live or failed release, and a request from before deadlines existed, as they are", () => {
    const live = { kind: "live", detail: "x" } as const;
    expect(withinDeadline(live, new Date("2026-12-02T10:00:00Z"), deadline)).toEqual(live);
    expect(withinDeadline(waiting, new Date("2026-12-02T10:00:00Z"), undefined)).toEqual(waiting);
  });
});

describe("rollbackProgress: a release Custom::Release stopped with rollback", () => {
  const snapshot = (overrides: Partial<DeploymentSnapshot>): DeploymentSnapshot => ({
    deploymentId: "d-REL8",
    status: "Stopped",
    lifecycle: [],
    ...overrides,
  });

  it.each([
    [{ status: "InProgress" }, "waiting"],
    [{ rollback: { deploymentId: "d-RB", status: "InProgress" } }, "waiting"],
    [{ rollback: { deploymentId: "d-RB", status: "Succeeded" } }, "live"],
    [{}, "live"],
    [{ status: "Failed", rollback: { deploymentId: "d-RB", status: "Succeeded" } }, "live"],
    [{ rollback: { deploymentId: "d-RB", status: "Failed" } }, "failed"],
    [{ status: "Succeeded" }, "failed"],
  ] as [Partial<DeploymentSnapshot>, string][])("%o is %s", (overrides, kind) => {
    expect(rollbackProgress(snapshot(overrides)).kind).toBe(kind);
  });
});
