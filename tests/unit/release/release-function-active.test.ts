import { readFileSync } from "node:fs";
import path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { ecsAppSpec } from "@hands-off-ops/core/release/appspec";
import { codeDeployReleases } from "@hands-off-ops/core/release/aws-codedeploy";
import { createReleaseHandlers } from "@hands-off-ops/core/release/provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

/**
 * Custom::Release against mocked CodeDeploy and ECS when an Update meets a deployment still active in the group
 * (CodeDeploy runs one per group: https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html).
 */
const UPDATE = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../fixtures/events/cloudformation-custom-resource-update.json"), "utf8"),
);
const td = (revision: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:${revision}`;
const update = (requested: number, previous: number) => ({
  ...UPDATE,
  ResourceProperties: { ...UPDATE.ResourceProperties, taskDefinitionArn: td(requested) },
  OldResourceProperties: { ...UPDATE.OldResourceProperties, taskDefinitionArn: td(previous) },
});
const codedeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
let now = new Date("2026-12-02T08:00:00Z");
const slept: number[] = [];
const { onEvent, isComplete } = createReleaseHandlers(
  () => codeDeployReleases(new CodeDeployClient({ region: "eu-central-1" }), new ECSClient({ region: "eu-central-1" })),
  new Logger({ logLevel: "SILENT" }),
  {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
    },
    deadlineSeconds: 3180,
  },
);

const taskSets = (primary: number, active?: number) =>
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        taskSets: [
          { status: "PRIMARY", taskDefinition: td(primary) },
          ...(active ? [{ status: "ACTIVE", taskDefinition: td(active) }] : []),
        ],
      },
    ],
  });
/** Release 7 -> 8 in the group, either shifting or with all traffic moved (its termination wait). */
const activeRelease = (phase: "shifting" | "termination-wait") => {
  codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ["d-REL8"] });
  codedeploy.on(GetDeploymentCommand, { deploymentId: "d-REL8" }).resolves({
    deploymentInfo: {
      deploymentId: "d-REL8",
      status: "InProgress",
      revision: {
        revisionType: "AppSpecContent",
        appSpecContent: { content: ecsAppSpec({ taskDefinitionArn: td(8), containerName: "app", containerPort: 8080, hooks: {} }) },
      },
    },
  });
  const done = phase === "termination-wait" ? "Succeeded" : "Pending";
  codedeploy.on(GetDeploymentTargetCommand).resolves({
    deploymentTarget: {
      ecsTarget: {
        lifecycleEvents: [
          { lifecycleEventName: "AllowTraffic", status: phase === "termination-wait" ? "Succeeded" : "InProgress" },
          { lifecycleEventName: "AfterAllowTraffic", status: done },
        ],
      },
    },
  });
};

beforeEach(() => {
  codedeploy.reset();
  ecs.reset();
  slept.length = 0;
  now = new Date("2026-12-02T08:00:00Z");
});

describe("a stack rollback right after a successful release (7 -> 8, 8 in its termination wait)", () => {
  beforeEach(() => {
    activeRelease("termination-wait");
    taskSets(8, 7);
  });

  it("stops release 8 with rollback instead of starting a second deployment CodeDeploy would refuse", async () => {
    codedeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const result = await onEvent(update(7, 8));
    expect(codedeploy.commandCalls(StopDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: "d-REL8", autoRollbackEnabled: true },
    ]);
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(codedeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input).toEqual({
      applicationName: "prod-hands-off-ops-Service",
      deploymentGroupName: "prod-hands-off-ops-Service",
      includeOnlyStatuses: ["Created", "Queued", "InProgress", "Ready"],
    });
    expect(result).toEqual({
      PhysicalResourceId: "release:prod-hands-off-ops-Service",
      Data: { DeploymentId: "d-REL8", Expect: "rolled-back", Deadline: "2026-12-02T08:53:00.000Z" },
    });
  });

  it("answers CloudFormation once CodeDeploy's rollback finished and ECS's primary task set runs 7 again", async () => {
    codedeploy.on(StopDeploymentCommand).resolves({});
    const polling = { ...update(7, 8), ...(await onEvent(update(7, 8))) };
    codedeploy.on(GetDeploymentCommand, { deploymentId: "d-REL8" }).resolves({
      deploymentInfo: { deploymentId: "d-REL8", status: "Stopped", rollbackInfo: { rollbackDeploymentId: "d-RB" } },
    });
    codedeploy.on(GetDeploymentCommand, { deploymentId: "d-RB" }).resolves({ deploymentInfo: { status: "InProgress" } });
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: false });
    codedeploy.on(GetDeploymentCommand, { deploymentId: "d-RB" }).resolves({ deploymentInfo: { status: "Succeeded" } });
    // CodeDeploy says done, but ECS still names 8 primary: not yet.
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: false });
    taskSets(7);
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: true });
  });

  it("decides again when release 8 finished between the look and the stop", async () => {
    codedeploy.on(StopDeploymentCommand).rejects(new DeploymentAlreadyCompletedException({ message: "done", $metadata: {} }));
    codedeploy
      .on(ListDeploymentsCommand)
      .resolvesOnce({ deployments: ["d-REL8"] })
      .resolves({ deployments: [] });
    // At the first look 7's tasks are kept; by the second, CodeDeploy has ended them.
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          {
            taskSets: [
              { status: "PRIMARY", taskDefinition: td(8) },
              { status: "ACTIVE", taskDefinition: td(7) },
            ],
          },
        ],
      })
      .resolves({ services: [{ taskSets: [{ status: "PRIMARY", taskDefinition: td(8) }] }] });
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-BACK7" });
    const result = await onEvent(update(7, 8));
    expect(result.Data).toMatchObject({ DeploymentId: "d-BACK7", Expect: "live" });
    expect(codedeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input.description).toBe(
      "sst deploy: prod-hands-off-ops-app:8 -> prod-hands-off-ops-app:7",
    );
  });
});

describe("a new image while the previous release keeps its old tasks (8 in its termination wait, deploying 9)", () => {
  it("ends 8's termination wait, waits for CodeDeploy to finish it, then starts 9", async () => {
    activeRelease("termination-wait");
    taskSets(8, 7);
    codedeploy.on(ContinueDeploymentCommand).resolves({});
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-REL8" })
      .resolvesOnce({ deploymentInfo: { status: "InProgress" } }) // active()
      .resolvesOnce({ deploymentInfo: { status: "InProgress" } })
      .resolves({ deploymentInfo: { status: "Succeeded" } });
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-REL9" });
    const result = await onEvent(update(9, 8));
    expect(codedeploy.commandCalls(ContinueDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: "d-REL8", deploymentWaitType: "TERMINATION_WAIT" },
    ]);
    expect(slept).toEqual([5000]);
    expect(result.Data).toMatchObject({ DeploymentId: "d-REL9", Expect: "live" });
  });

  it("gives up within onEvent's timeout when CodeDeploy does not finish, starting nothing", async () => {
    activeRelease("termination-wait");
    taskSets(8, 7);
    codedeploy.on(ContinueDeploymentCommand).resolves({});
    await expect(onEvent(update(9, 8))).rejects.toThrow("Deployment d-REL8 had not finished 80 s after its termination wait was ended");
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(85_000);
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });
});

describe("a release still shifting", () => {
  it("refuses a third revision, naming the release in the way, and starts nothing", async () => {
    activeRelease("shifting");
    taskSets(7, 8);
    await expect(onEvent(update(9, 8))).rejects.toThrow(
      "Deployment d-REL8 is shipping prod-hands-off-ops-app:8, and CodeDeploy runs one deployment per group",
    );
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it("fails the release at its deadline so that CloudFormation hears back within the hour", async () => {
    activeRelease("shifting");
    taskSets(7, 8);
    const polling = {
      ...UPDATE,
      PhysicalResourceId: "x",
      Data: { DeploymentId: "d-REL8", Expect: "live", Deadline: "2026-12-02T08:53:00.000Z" },
    };
    now = new Date("2026-12-02T08:52:59Z");
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: false });
    now = new Date("2026-12-02T08:53:00Z");
    await expect(isComplete(polling)).rejects.toThrow(/Not live by 2026-12-02T08:53:00.000Z/);
  });
});
