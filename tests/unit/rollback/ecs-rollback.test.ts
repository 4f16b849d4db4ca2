import {
  ConflictException,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { cloudWatchAlarmState } from "@hands-off-ops/core/aws/alarms";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import type { EcsReleases } from "@hands-off-ops/core/release/release-group";
import { ecsRollbacks } from "@hands-off-ops/core/rollback/aws-ecs-rollbacks";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRollbackHandler } from "../../../functions/rollback";
import { stageSettings } from "../../../stacks/config";
import { rollbackVariables } from "../../../stacks/lambda-environment";
import { releaseAlarmEvent } from "../../fixtures/events";
import { memoryOnce } from "../notify/fakes";
import { alarmIs, cloudWatch, FIXTURE_ALARM_RAISED } from "./cloudwatch-now";
import { memoryLedger } from "./memory-ledger";

const ecs = mockClient(ECSClient);
beforeEach(() => alarmIs("prod-hands-off-ops-Alb5xxRate", "ALARM", FIXTURE_ALARM_RAISED));
afterEach(() => {
  ecs.reset();
  cloudWatch.reset();
});

const SERVICE_ARN = "arn:aws:ecs:eu-central-1:123456789012:service/prod-cluster/prod-service";
const env = (mode: "enforce" | "dry-run" = "enforce") =>
  readRollbackEnvironment({
    ...rollbackVariables(
      { stage: "prod", name: "hands-off-ops" },
      stageSettings("prod", { release: { controller: "ecs" }, automationMode: mode }),
      {
        tableName: "prod-state",
        releases: { controller: "ecs", serviceArn: SERVICE_ARN },
        workers: [],
      },
    ),
    AWS_REGION: "eu-central-1",
  });
const releases = env().target as EcsReleases;
const td = (revision: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-Service-app:${revision}`;
const revisionArn = (revision: number) =>
  `arn:aws:ecs:eu-central-1:123456789012:service-revision/prod-cluster/prod-service/${9000 + revision}`;
const deploymentArn = (id: string) => `arn:aws:ecs:eu-central-1:123456789012:service-deployment/prod-cluster/prod-service/${id}`;
// The fixture's alarm fired at 2019-10-02T17:04:40Z.
const ALARM_TIME = new Date("2019-10-02T17:04:40Z");
const ago = (minutes: number) => new Date(ALARM_TIME.getTime() - minutes * 60_000);

const brief = (id: string, revision: number, status: string, at: Date): ServiceDeploymentBrief => ({
  serviceDeploymentArn: deploymentArn(id),
  serviceArn: SERVICE_ARN,
  targetServiceRevisionArn: revisionArn(revision),
  status: status as ServiceDeploymentBrief["status"],
  createdAt: at,
  startedAt: at,
  ...(status === "SUCCESSFUL" ? { finishedAt: at } : {}),
});

/** ListServiceDeployments and DescribeServiceRevisions as ECS answers them for the service's history. */
function history(active: ServiceDeploymentBrief[], successful: ServiceDeploymentBrief[]) {
  ecs.on(ListServiceDeploymentsCommand, { status: ["SUCCESSFUL"] }).resolves({ serviceDeployments: successful });
  ecs
    .on(ListServiceDeploymentsCommand, {
      status: ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"],
    })
    .resolves({ serviceDeployments: active });
  ecs.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }: { serviceRevisionArns: string[] }) => ({
    serviceRevisions: serviceRevisionArns.map((arn) => ({
      serviceRevisionArn: arn,
      taskDefinition: td(Number(arn.split("/").at(-1)) - 9000),
    })),
    failures: [],
  }));
}

describe("ECS's service deployments as the rollback reads them (release.controller ecs)", () => {
  it("gives what runs and the last two successes, newest first, each with its task definition", async () => {
    history(
      [brief("NOWRUNNING0000000000A", 43, "IN_PROGRESS", ago(3))],
      [brief("GOODRELEASE00000000A", 41, "SUCCESSFUL", ago(600)), brief("BADRELEASE000000000A", 42, "SUCCESSFUL", ago(12))],
    );
    const facts = await ecsRollbacks(releases).history();
    expect(facts).toEqual({
      inProgress: { deploymentId: "NOWRUNNING0000000000A", taskDefinitionArn: td(43), at: ago(3), automaticRollback: false },
      lastSuccess: { deploymentId: "BADRELEASE000000000A", taskDefinitionArn: td(42), at: ago(12), automaticRollback: false },
      previousSuccess: { deploymentId: "GOODRELEASE00000000A", taskDefinitionArn: td(41), at: ago(600), automaticRollback: false },
    });
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toMatchObject({
      cluster: "prod-cluster",
      service: "prod-service",
    });
  });

  it("marks as a rollback a deployment ECS is rolling back, and a success that went back to an older revision", async () => {
    history(
      [brief("ROLLINGBACK00000000A", 43, "ROLLBACK_IN_PROGRESS", ago(2))],
      [brief("BADRELEASE000000000A", 42, "SUCCESSFUL", ago(30)), brief("WENTBACK00000000000A", 41, "SUCCESSFUL", ago(10))],
    );
    const facts = await ecsRollbacks(releases).history();
    expect(facts.inProgress?.automaticRollback).toBe(true);
    expect(facts.lastSuccess).toMatchObject({ deploymentId: "WENTBACK00000000000A", automaticRollback: true });
    expect(facts.previousSuccess).toMatchObject({ deploymentId: "BADRELEASE000000000A", automaticRollback: false });
  });

  it("stops a service deployment with ROLLBACK, by its ARN; one ECS no longer can stop has already finished", async () => {
    ecs.on(StopServiceDeploymentCommand, { serviceDeploymentArn: deploymentArn("NOWRUNNING0000000000A") }).resolves({});
    ecs
      .on(StopServiceDeploymentCommand, { serviceDeploymentArn: deploymentArn("FINISHED00000000000A") })
      .rejects(new ConflictException({ message: "The service deployment is not in a state that can be stopped", $metadata: {} }));
    const port = ecsRollbacks(releases);
    await expect(port.stop("NOWRUNNING0000000000A")).resolves.toBe("stopped");
    await expect(port.stop("FINISHED00000000000A")).resolves.toBe("already-finished");
    expect(ecs.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: deploymentArn("NOWRUNNING0000000000A"),
      stopType: "ROLLBACK",
    });
    ecs.on(StopServiceDeploymentCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    await expect(port.stop("OTHER000000000000000A")).rejects.toThrow("Rate exceeded");
  });

  it("redeploys by updating the service to the previous task definition, and names the service deployment that started", async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(ListServiceDeploymentsCommand, { status: ["PENDING", "IN_PROGRESS"] }).resolves({
      serviceDeployments: [
        brief("OLDER000000000000000A", 42, "IN_PROGRESS", ago(20)),
        brief("ROLLBACKDEPLOY00000A", 41, "PENDING", ago(0)),
      ],
    });
    await expect(ecsRollbacks(releases).redeploy(td(41), "Automatic rollback of BAD")).resolves.toBe("ROLLBACKDEPLOY00000A");
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: "prod-cluster",
      service: "prod-service",
      taskDefinition: td(41),
    });
  });
});

describe("the rollback function on an ECS stage", () => {
  function handlerFor(mode: "enforce" | "dry-run" = "enforce") {
    const notices: AutomationNotice[] = [];
    const handle = createRollbackHandler(
      env(mode),
      {
        alarms: cloudWatchAlarmState(),
        deployments: ecsRollbacks(releases),
        ledger: memoryLedger(),
        notify: async (n) => void notices.push(n),
      },
      memoryOnce(),
      () => ALARM_TIME,
    );
    return { handle, notices };
  }

  it("stops the release ECS is running, and tells it in ECS's words with a link to the service's deployments", async () => {
    history([brief("NOWRUNNING0000000000A", 43, "IN_PROGRESS", ago(3))], [brief("GOODRELEASE00000000A", 42, "SUCCESSFUL", ago(600))]);
    ecs.on(StopServiceDeploymentCommand).resolves({});
    const { handle, notices } = handlerFor();
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({
      outcome: { kind: "stopped", deploymentId: "NOWRUNNING0000000000A" },
    });
    expect(notices[0]).toMatchObject({
      title: "Stopped release NOWRUNNING0000000000A: Alb5xxRate fired",
      actionsTaken: ["Stopped NOWRUNNING0000000000A with rollback: ECS is sending traffic back to the previous version."],
      thread: { deploymentId: "NOWRUNNING0000000000A", role: "reply" },
    });
    expect(notices[0]?.links?.map((l) => l.url)).toEqual([
      "https://eu-central-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/services/prod-service/deployments?region=eu-central-1",
    ]);
  });

  it("stops the release a person asked to roll back from its thread (Roll back now), by its service deployment id", async () => {
    history([brief("NOWRUNNING0000000000A", 43, "IN_PROGRESS", ago(3))], [brief("GOODRELEASE00000000A", 42, "SUCCESSFUL", ago(600))]);
    ecs.on(StopServiceDeploymentCommand).resolves({});
    const { handle, notices } = handlerFor();
    const press = {
      kind: "roll-back",
      deploymentId: "NOWRUNNING0000000000A",
      ticketId: "DDDDDDDDDDDDDDDDDDDDDD",
      requestedBy: "alice (U0ALICE001)",
    };
    await expect(handle(press)).resolves.toMatchObject({ decision: { action: "stop-deployment", deploymentId: "NOWRUNNING0000000000A" } });
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1);
    expect(notices[0]).toMatchObject({ thread: { deploymentId: "NOWRUNNING0000000000A", role: "reply" } });
  });

  it("in dry-run, for one of ECS's deployment alarms, says ECS rolls the release back itself: no escalation, no stop command", async () => {
    history([brief("NOWRUNNING0000000000A", 43, "IN_PROGRESS", ago(3))], [brief("GOODRELEASE00000000A", 42, "SUCCESSFUL", ago(600))]);
    const { handle, notices } = handlerFor("dry-run");
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({
      decision: { controllerStops: true },
      outcome: { kind: "would-stop" },
    });
    expect(JSON.stringify(notices[0])).not.toMatch(/stop-service-deployment|users are moving to it|by hand/);
    expect(notices[0]).toMatchObject({
      title: "ECS stops release NOWRUNNING0000000000A itself on Alb5xxRate; dry-run changed nothing",
      summary:
        "Alb5xxRate fired while release NOWRUNNING0000000000A was in progress. ECS watches this alarm for the service's deployments (its deployment alarms) and rolls the release back itself; dry-run would also have stopped it.",
      incident: { escalates: false },
    });
  });

  it("in dry-run gives the exact AWS CLI commands of ECS, not CodeDeploy's", async () => {
    history([brief("NOWRUNNING0000000000A", 43, "IN_PROGRESS", ago(3))], [brief("GOODRELEASE00000000A", 42, "SUCCESSFUL", ago(600))]);
    const { handle, notices } = handlerFor("dry-run");
    // An alarm ECS's deployment alarms do not include: only a person would stop the release.
    const cpu = releaseAlarmEvent();
    cpu.detail.alarmName = "prod-hands-off-ops-ServiceCpu";
    alarmIs(cpu.detail.alarmName, "ALARM", FIXTURE_ALARM_RAISED);
    await handle(cpu);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(notices[0]?.nextStep).toBe(
      `If the alarm is right, stop the release by hand now (ECS sends traffic back to the previous version): aws ecs stop-service-deployment --service-deployment-arn ${deploymentArn("NOWRUNNING0000000000A")} --stop-type ROLLBACK --region eu-central-1`,
    );

    ecs.reset();
    history([], [brief("GOODRELEASE00000000A", 41, "SUCCESSFUL", ago(600)), brief("BADRELEASE000000000A", 42, "SUCCESSFUL", ago(12))]);
    const again = handlerFor("dry-run");
    await again.handle(releaseAlarmEvent());
    expect(again.notices[0]?.nextStep).toBe(
      `If the alarm is right, roll back by hand now: aws ecs update-service --cluster prod-cluster --service prod-service --task-definition ${td(41)} --region eu-central-1`,
    );
  });
});
