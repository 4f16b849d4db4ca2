import { readFileSync } from "node:fs";
import path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentLimitExceededException,
  DeploymentTargetDoesNotExistException,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { codeDeployReleases } from "@hands-off-ops/core/release/aws-codedeploy";
import { createReleaseHandlers } from "@hands-off-ops/core/release/provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

const UPDATE = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../fixtures/events/cloudformation-custom-resource-update.json"), "utf8"),
);
const codedeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const { onEvent, isComplete } = createReleaseHandlers(
  () => codeDeployReleases(new CodeDeployClient({ region: "eu-central-1" }), new ECSClient({ region: "eu-central-1" })),
  new Logger({ logLevel: "SILENT" }),
);
const runningRevision = (revision: number) =>
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: "prod-hands-off-ops-Service-app",
        taskSets: [
          { status: "PRIMARY", taskDefinition: `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:${revision}` },
          { status: "ACTIVE", taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:1" },
        ],
      },
    ],
  });

beforeEach(() => {
  codedeploy.reset();
  ecs.reset();
  runningRevision(7);
  // No deployment active in the group (update-meets-active-deployment and release-function-active have the others).
  codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
});

describe("Custom::Release onEvent", () => {
  it("creates one CodeDeploy deployment with the AppSpec of the new task definition", async () => {
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-NEW" });
    const result = await onEvent(UPDATE);
    expect(result).toEqual({ PhysicalResourceId: "release:prod-hands-off-ops-Service", Data: { DeploymentId: "d-NEW", Expect: "live" } });
    const calls = codedeploy.commandCalls(CreateDeploymentCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      applicationName: "prod-hands-off-ops-Service",
      deploymentGroupName: "prod-hands-off-ops-Service",
      description: "sst deploy: prod-hands-off-ops-app:7 -> prod-hands-off-ops-app:8",
      revision: { revisionType: "AppSpecContent" },
    });
    expect(JSON.parse(input?.revision?.appSpecContent?.content ?? "{}").Resources[0].TargetService.Properties.TaskDefinition).toBe(
      "arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:8",
    );
  });

  it("asks ECS what the service runs now", async () => {
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-NEW" });
    await onEvent(UPDATE);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: "prod-hands-off-ops-Service-Cluster",
      services: ["prod-hands-off-ops-Service-app"],
    });
  });

  it("starts nothing when the service already runs the requested revision (a repeated request, or CloudFormation rolling back)", async () => {
    runningRevision(8);
    const result = await onEvent(UPDATE);
    expect(result.Data).toEqual({ DeploymentId: "none", Expect: "live" });
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it("starts nothing on the first deploy and keeps one physical id", async () => {
    const { PhysicalResourceId: _, OldResourceProperties: __, ...create } = UPDATE;
    const result = await onEvent({ ...create, RequestType: "Create" });
    expect(result).toEqual({ PhysicalResourceId: "release:prod-hands-off-ops-Service", Data: { DeploymentId: "none", Expect: "live" } });
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    await expect(isComplete({ ...create, RequestType: "Create", ...result })).resolves.toEqual({ IsComplete: true });
  });

  it("says which deployment group refused the release", async () => {
    codedeploy
      .on(CreateDeploymentCommand)
      .rejects(new DeploymentLimitExceededException({ message: "The Deployment Group already has an active Deployment", $metadata: {} }));
    await expect(onEvent(UPDATE)).rejects.toThrow(
      "Could not start the release in prod-hands-off-ops-Service/prod-hands-off-ops-Service: DeploymentLimitExceededException: The Deployment Group already has an active Deployment",
    );
  });
});

describe("Custom::Release isComplete", () => {
  const polling = { ...UPDATE, PhysicalResourceId: "release:prod-hands-off-ops-Service", Data: { DeploymentId: "d-NEW" } };

  it("keeps waiting before the deployment target exists", async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: "d-NEW", status: "Created" } });
    codedeploy.on(GetDeploymentTargetCommand).rejects(new DeploymentTargetDoesNotExistException({ message: "not yet", $metadata: {} }));
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: false });
  });

  it("completes once AfterAllowTraffic succeeded, asking for the ECS target of the service", async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: "d-NEW", status: "InProgress" } });
    codedeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: {
        deploymentTargetType: "ECSTarget",
        ecsTarget: {
          deploymentId: "d-NEW",
          targetId: "prod-hands-off-ops-Service-Cluster:prod-hands-off-ops-Service-app",
          lifecycleEvents: [
            { lifecycleEventName: "BeforeInstall", status: "Succeeded" },
            { lifecycleEventName: "Install", status: "Succeeded" },
            { lifecycleEventName: "AfterInstall", status: "Succeeded" },
            { lifecycleEventName: "BeforeAllowTraffic", status: "Succeeded" },
            { lifecycleEventName: "AllowTraffic", status: "Succeeded" },
            { lifecycleEventName: "AfterAllowTraffic", status: "Succeeded" },
          ],
          status: "InProgress",
        },
      },
    });
    await expect(isComplete(polling)).resolves.toEqual({ IsComplete: true });
    expect(codedeploy.commandCalls(GetDeploymentTargetCommand)[0]?.args[0].input).toEqual({
      deploymentId: "d-NEW",
      targetId: "prod-hands-off-ops-Service-Cluster:prod-hands-off-ops-Service-app",
    });
  });

  it("fails the stack update with the cause once CodeDeploy has rolled back", async () => {
    codedeploy.on(GetDeploymentCommand, { deploymentId: "d-NEW" }).resolves({
      deploymentInfo: {
        deploymentId: "d-NEW",
        status: "Stopped",
        errorInformation: { code: "ALARM_ACTIVE", message: "One or more alarms have been activated" },
        rollbackInfo: { rollbackDeploymentId: "d-RB" },
      },
    });
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-RB" })
      .resolves({ deploymentInfo: { deploymentId: "d-RB", status: "Succeeded" } });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: { ecsTarget: { lifecycleEvents: [] } } });
    await expect(isComplete(polling)).rejects.toThrow(
      "Release d-NEW stopped (ALARM_ACTIVE: One or more alarms have been activated). CodeDeploy rolled the service back to the previous task definition (deployment d-RB).",
    );
  });

  it("lets an unexpected SDK error fail the poll rather than report success", async () => {
    codedeploy.on(GetDeploymentCommand).rejects(new Error("AccessDeniedException: not authorized to perform codedeploy:GetDeployment"));
    await expect(isComplete(polling)).rejects.toThrow("AccessDeniedException");
  });
});
