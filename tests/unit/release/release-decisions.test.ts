import { readFileSync } from "node:fs";
import path from "node:path";
import { ECS_HOOKS, ecsAppSpec } from "@hands-off-ops/core/release/appspec";
import { decideRelease, type ReleaseEvent } from "@hands-off-ops/core/release/custom-resource";
import { type DeploymentSnapshot, releaseProgress } from "@hands-off-ops/core/release/progress";
import { describe, expect, it } from "vitest";

const UPDATE = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../fixtures/events/cloudformation-custom-resource-update.json"), "utf8"),
) as ReleaseEvent;
const TASK_8 = "arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:8";

describe("ECS AppSpec", () => {
  it("names the task definition, the container behind the load balancer and the hooks in lifecycle order", () => {
    const appSpec = JSON.parse(
      ecsAppSpec({
        taskDefinitionArn: TASK_8,
        containerName: "app",
        containerPort: 8080,
        hooks: { AfterAllowTraffic: "CodeDeployHook_after", AfterAllowTestTraffic: "CodeDeployHook_test" },
      }),
    );
    expect(appSpec).toEqual({
      version: 0.0,
      Resources: [
        {
          TargetService: {
            Type: "AWS::ECS::Service",
            Properties: { TaskDefinition: TASK_8, LoadBalancerInfo: { ContainerName: "app", ContainerPort: 8080 } },
          },
        },
      ],
      Hooks: [{ AfterAllowTestTraffic: "CodeDeployHook_test" }, { AfterAllowTraffic: "CodeDeployHook_after" }],
    });
  });

  it("is, byte for byte, the JSON AppSpec of AWS's ECS tutorial for the same task definition, container and port", () => {
    const documented = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/appspec/ecs-tutorial.json"), "utf8");
    const written = ecsAppSpec({
      taskDefinitionArn: "arn:aws:ecs:aws-region-id:aws-account-id:task-definition/ecs-demo-task-definition:revision-number",
      containerName: "your-container-name",
      containerPort: 8080,
      hooks: {},
    });
    // Whitespace aside, the text itself: `"version":0.0` is what AWS documents, and JSON.parse would read `0` the same.
    expect(written).toBe(documented.replace(/\s+/g, ""));
    expect(written).toContain('"version":0.0,');
  });

  it("has no Hooks section when no hook is named", () => {
    expect(JSON.parse(ecsAppSpec({ taskDefinitionArn: TASK_8, containerName: "app", containerPort: 8080, hooks: {} }))).not.toHaveProperty(
      "Hooks",
    );
  });

  it("knows the five ECS hooks in the order CodeDeploy runs them", () => {
    expect(ECS_HOOKS).toEqual(["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"]);
  });
});

describe("decideRelease", () => {
  it("releases a new task definition through CodeDeploy", () => {
    const decision = decideRelease(UPDATE);
    expect(decision).toMatchObject({
      action: "deploy",
      description: "sst deploy: prod-hands-off-ops-app:7 -> prod-hands-off-ops-app:8",
      target: { taskDefinitionArn: TASK_8, containerName: "app", containerPort: 8080, hooks: {} },
    });
  });

  it("does nothing on the first deploy: ECS starts the service on its task definition", () => {
    expect(decideRelease({ ...UPDATE, RequestType: "Create", OldResourceProperties: undefined })).toEqual({
      action: "none",
      why: "First deploy: ECS starts the new service on this task definition by itself.",
    });
  });

  it("does nothing when only something else changed", () => {
    const hooksOnly = { ...UPDATE, OldResourceProperties: { ...UPDATE.ResourceProperties, hooks: { AfterAllowTraffic: "x" } } };
    expect(decideRelease(hooksOnly)).toMatchObject({ action: "none", why: "The task definition did not change: nothing to release." });
  });

  it("does nothing when the service already runs the new task definition", () => {
    expect(decideRelease(UPDATE, { serving: TASK_8, up: [TASK_8] })).toEqual({
      action: "none",
      why: "The service already runs prod-hands-off-ops-app:8: nothing to release.",
    });
    expect(decideRelease(UPDATE, { serving: TASK_8.replace(":8", ":7") })).toMatchObject({ action: "deploy" });
  });

  it("does nothing on delete, even with properties it cannot read", () => {
    expect(decideRelease({ RequestType: "Delete", ResourceProperties: {} })).toMatchObject({ action: "none" });
  });

  it("refuses properties that are not a release", () => {
    expect(() => decideRelease({ ...UPDATE, ResourceProperties: { ...UPDATE.ResourceProperties, taskDefinitionArn: "app:8" } })).toThrow(
      /taskDefinitionArn/,
    );
  });
});

describe("releaseProgress", () => {
  const snapshot = (overrides: Partial<DeploymentSnapshot>): DeploymentSnapshot => ({
    deploymentId: "d-ABC",
    status: "InProgress",
    lifecycle: [],
    ...overrides,
  });

  it("waits while traffic is shifting, naming the step", () => {
    const lifecycle = [
      { name: "BeforeInstall", status: "Succeeded" },
      { name: "Install", status: "Succeeded" },
      { name: "AfterAllowTestTraffic", status: "InProgress" },
      { name: "AllowTraffic", status: "Pending" },
      { name: "AfterAllowTraffic", status: "Pending" },
    ];
    expect(releaseProgress(snapshot({ lifecycle }))).toEqual({ kind: "waiting", step: "AfterAllowTestTraffic (InProgress)" });
    expect(releaseProgress(snapshot({ status: "Created" }))).toEqual({ kind: "waiting", step: "Created" });
  });

  it("is live once all traffic is on the new tasks, while the old ones wait for termination", () => {
    const lifecycle = [
      { name: "AllowTraffic", status: "Succeeded" },
      { name: "AfterAllowTraffic", status: "Succeeded" },
    ];
    expect(releaseProgress(snapshot({ lifecycle }))).toMatchObject({ kind: "live" });
    expect(releaseProgress(snapshot({ status: "Succeeded" }))).toEqual({ kind: "live", detail: "Deployment d-ABC succeeded." });
  });

  it("waits for CodeDeploy's rollback to finish before failing", () => {
    const failed = snapshot({ status: "Failed", errorCode: "ALARM_ACTIVE", rollback: { deploymentId: "d-RB", status: "InProgress" } });
    expect(releaseProgress(failed)).toEqual({ kind: "waiting", step: "rolling back (deployment d-RB)" });
  });

  it("fails with the cause and what users see now", () => {
    const rolledBack = snapshot({
      status: "Stopped",
      errorCode: "ALARM_ACTIVE",
      errorMessage: "One or more alarms have been activated",
      rollback: { deploymentId: "d-RB", status: "Succeeded" },
    });
    expect(releaseProgress(rolledBack)).toEqual({
      kind: "failed",
      reason:
        "Release d-ABC stopped (ALARM_ACTIVE: One or more alarms have been activated). CodeDeploy rolled the service back to the previous task definition (deployment d-RB).",
    });
    expect(releaseProgress(snapshot({ status: "Failed", errorCode: "HEALTH_CONSTRAINTS" }))).toMatchObject({
      kind: "failed",
      reason: expect.stringContaining("Users stayed on the previous task definition"),
    });
    expect(releaseProgress(snapshot({ status: "Failed", rollback: { deploymentId: "d-RB", status: "Failed" } }))).toMatchObject({
      reason: "Release d-ABC failed (no error information). The rollback deployment d-RB ended Failed: check the service now.",
    });
  });
});
