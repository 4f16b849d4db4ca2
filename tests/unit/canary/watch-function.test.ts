import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient, GetDeploymentCommand, GetDeploymentTargetCommand, StopDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { eventBridgeNotices } from "@hands-off-ops/core/aws/notices";
import { codeDeployCanary } from "@hands-off-ops/core/canary/aws-canary-deployments";
import { cloudWatchTargetMetrics } from "@hands-off-ops/core/canary/aws-target-metrics";
import { schedulerWatchSchedules } from "@hands-off-ops/core/canary/aws-watch-schedules";
import { readWatchEnvironment } from "@hands-off-ops/core/canary/environment";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createWatchHandler } from "../../../functions/canary-watch";
import { deploymentEvent } from "../../fixtures/events";
import { PROD_CANARY, REGRESSED_CANARY_METRICS } from "./helpers";

const codeDeploy = mockClient(CodeDeployClient);
const cloudWatch = mockClient(CloudWatchClient);
const scheduler = mockClient(SchedulerClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  for (const mock of [codeDeploy, cloudWatch, scheduler, events]) mock.reset();
});

const NOW = new Date("2026-11-20T03:00:30Z");
const env = readWatchEnvironment({
  STAGE: "prod",
  AUTOMATION_MODE: "enforce",
  CANARY_SETTINGS: JSON.stringify(PROD_CANARY),
  CANARY_MINUTES: "5",
  TARGET_ID: "prod-cluster:prod-service",
  TARGET_GROUPS: "targetgroup/prod-Blue/aaa,targetgroup/prod-Green/bbb",
  LOAD_BALANCER: "app/prod-lb/ccc",
  SCHEDULE_GROUP: "prod-canary-watch",
  SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/prod-scheduler",
  RELEASE_CONTROLLER: "codedeploy",
});
const FUNCTION_ARN = "arn:aws:lambda:eu-central-1:123456789012:function:prod-canary-watch";
const context = { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 25_000 } as Context;
const handler = createWatchHandler(env, {
  deployments: codeDeployCanary(),
  metrics: cloudWatchTargetMetrics(env.loadBalancer),
  schedules: schedulerWatchSchedules(env.scheduleGroup, env.schedulerRoleArn),
  notify: (notice) => eventBridgeNotices().send(notice),
  sleep: async () => {},
  now: () => NOW,
});

describe("the canary watch function", () => {
  it("starts a one-minute schedule for the deployment on START, ending an hour after the canary window", async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:schedule" });
    await handler(deploymentEvent("START", "d-WATCH1"), context);
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: "watch-d-WATCH1",
      GroupName: "prod-canary-watch",
      ScheduleExpression: "rate(1 minute)",
      FlexibleTimeWindow: { Mode: "OFF" },
      EndDate: new Date(NOW.getTime() + 65 * 60_000),
      ActionAfterCompletion: "DELETE",
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: env.schedulerRoleArn,
        Input: '{"deploymentId":"d-WATCH1"}',
        RetryPolicy: { MaximumRetryAttempts: 0 },
      },
    });
  });

  it("takes a START delivered twice as already watching, and deletes the schedule when the release ends", async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ Message: "exists", message: "exists", $metadata: {} }));
    await expect(handler(deploymentEvent("START", "d-WATCH2"), context)).resolves.toEqual({ watching: "already-running" });
    scheduler.on(DeleteScheduleCommand).resolves({});
    await expect(handler(deploymentEvent("SUCCESS", "d-WATCH2"), context)).resolves.toEqual({ watching: "stopped" });
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: "watch-d-WATCH2",
      GroupName: "prod-canary-watch",
    });
  });

  it("on a tick, compares the green task set's target group with the blue one's and stops a regressing release", async () => {
    codeDeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: "InProgress" } });
    codeDeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: {
        ecsTarget: {
          taskSetsInfo: [
            { taskSetLabel: "Blue", targetGroup: { name: "prod-Green" }, trafficWeight: 90 },
            { taskSetLabel: "Green", targetGroup: { name: "prod-Blue" }, trafficWeight: 10 },
          ],
        },
      },
    });
    cloudWatch.on(GetMetricDataCommand).resolves(REGRESSED_CANARY_METRICS);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    scheduler.on(DeleteScheduleCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });

    await expect(handler({ deploymentId: "d-WATCH3" }, context)).resolves.toMatchObject({ kind: "stopped" });
    expect(codeDeploy.commandCalls(GetDeploymentTargetCommand)[0]?.args[0].input).toEqual({
      deploymentId: "d-WATCH3",
      targetId: "prod-cluster:prod-service",
    });
    const query = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    // The last whole minute and the publication allowance before it, in one-minute periods.
    expect(query?.StartTime).toEqual(new Date("2026-11-20T02:56:00Z"));
    expect(query?.EndTime).toEqual(new Date("2026-11-20T03:00:00Z"));
    expect(query?.MetricDataQueries?.map((q) => q.MetricStat?.Period)).toEqual(Array(6).fill(60));
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: "TargetGroup", Value: "targetgroup/prod-Blue/aaa" },
      { Name: "LoadBalancer", Value: "app/prod-lb/ccc" },
    ]);
    expect(codeDeploy.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({
      deploymentId: "d-WATCH3",
      autoRollbackEnabled: true,
    });
    const notice = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    expect(notice.summary).toMatch(/5xx rate 15\.0 % against 0\.2 %/);
  });

  it("rejects an event it does not know, without acting", async () => {
    await expect(handler({ deploymentId: "nope" }, context)).resolves.toEqual({ rejected: true });
    expect(codeDeploy.calls()).toHaveLength(0);
  });
});
