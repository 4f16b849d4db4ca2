import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { eventBridgeNotices } from "@hands-off-ops/core/aws/notices";
import { ecsServiceDeployments } from "@hands-off-ops/core/aws/service-deployments";
import { ecsCanary } from "@hands-off-ops/core/canary/aws-ecs-canary";
import { cloudWatchTargetMetrics } from "@hands-off-ops/core/canary/aws-target-metrics";
import { schedulerWatchSchedules } from "@hands-off-ops/core/canary/aws-watch-schedules";
import { readWatchEnvironment } from "@hands-off-ops/core/canary/environment";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createWatchHandler } from "../../../functions/canary-watch";
import { stageSettings } from "../../../stacks/config";
import { watchVariables } from "../../../stacks/lambda-environment";
import { loadEvent } from "../../fixtures/events";
import { REGRESSED_CANARY_METRICS } from "./helpers";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cloudWatch = mockClient(CloudWatchClient);
const scheduler = mockClient(SchedulerClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  for (const mock of [ecs, elb, cloudWatch, scheduler, events]) mock.reset();
});

const SERVICE_ARN = "arn:aws:ecs:eu-central-1:123456789012:service/prod-cluster/prod-service";
const PRODUCTION_RULE = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/prod-lb/1/2/3";
const TEST_RULE = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/prod-lb/1/4/5";
const tg = (name: string) => `arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const env = readWatchEnvironment(
  watchVariables(
    { stage: "prod", name: "hands-off-ops" },
    stageSettings("prod", { release: { controller: "ecs" }, automationMode: "enforce" }),
    {
      targetId: "prod-cluster:prod-service",
      targetGroups: "targetgroup/prod-Blue/aaa,targetgroup/prod-Green/bbb",
      loadBalancer: "app/prod-lb/ccc",
      scheduleGroup: "prod-canary-watch",
      schedulerRoleArn: "arn:aws:iam::123456789012:role/prod-scheduler",
      ecs: { serviceArn: SERVICE_ARN, listenerRules: `${PRODUCTION_RULE},${TEST_RULE}` },
    },
  ),
);
const NOW = new Date("2026-11-20T03:00:30Z");
const FUNCTION_ARN = "arn:aws:lambda:eu-central-1:123456789012:function:prod-canary-watch";
const context = { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 25_000 } as Context;
const RELEASE = "EZe5RNVLH6PPzHXINuP28";

function handler() {
  if (env.releases.controller !== "ecs") throw new Error("an ECS stage");
  const deployments = ecsServiceDeployments();
  const { cluster, service } = env.releases.releases;
  return createWatchHandler(env, {
    deployments: ecsCanary(env.releases.releases, env.releases.rules),
    serviceDeployments: { latestAt: (at) => deployments.latestAt(cluster, service, at) },
    metrics: cloudWatchTargetMetrics(env.loadBalancer),
    schedules: schedulerWatchSchedules(env.scheduleGroup, env.schedulerRoleArn),
    notify: (notice) => eventBridgeNotices().send(notice),
    sleep: async () => {},
    now: () => NOW,
  });
}

/** ECS's list: this release, created just before the sample event's time. */
const listed = (status: string) =>
  ecs.on(ListServiceDeploymentsCommand, { cluster: "prod-cluster", service: "prod-service" }).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: `arn:aws:ecs:eu-central-1:123456789012:service-deployment/prod-cluster/prod-service/${RELEASE}`,
        createdAt: new Date("2020-05-23T12:30:00Z"),
        status: status as "IN_PROGRESS",
      },
    ],
  });

describe("the canary watch on an ECS stage", () => {
  it("reads the service, its listener rules and its controller from the environment", () => {
    expect(env.releases).toMatchObject({ controller: "ecs", rules: { production: PRODUCTION_RULE, test: TEST_RULE } });
    expect(env.context.controllerName).toBe("ECS");
  });

  it("starts watching the service deployment ECS lists for the event's time, and stops once ECS reports it over", async () => {
    listed("IN_PROGRESS");
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:schedule" });
    scheduler.on(DeleteScheduleCommand).resolves({});
    await expect(handler()(loadEvent("ecs-deployment-in-progress"), context)).resolves.toEqual({ watching: "started" });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toMatchObject({
      Name: `watch-${RELEASE}`,
      Target: { Input: `{"deploymentId":"${RELEASE}"}` },
    });
    for (const name of ["ecs-deployment-completed", "ecs-deployment-failed", "ecs-deployment-rollback-in-progress"] as const)
      await expect(handler()(loadEvent(name), context)).resolves.toEqual({ watching: "stopped" });
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input.Name)).toEqual([
      `watch-${RELEASE}`,
      `watch-${RELEASE}`,
      `watch-${RELEASE}`,
    ]);
  });

  it("on a tick, finds green from the test rule and its share from the production rule, and stops a regressing release with ECS", async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: "IN_PROGRESS" }] });
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          RuleArn: PRODUCTION_RULE,
          Actions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: tg("prod-Blue"), Weight: 90 },
                  { TargetGroupArn: tg("prod-Green"), Weight: 10 },
                ],
              },
            },
          ],
        },
        {
          RuleArn: TEST_RULE,
          Actions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: tg("prod-Blue"), Weight: 0 },
                  { TargetGroupArn: tg("prod-Green"), Weight: 100 },
                ],
              },
            },
          ],
        },
      ],
    });
    cloudWatch.on(GetMetricDataCommand).resolves(REGRESSED_CANARY_METRICS);
    ecs.on(StopServiceDeploymentCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });

    await expect(handler()({ deploymentId: RELEASE }, context)).resolves.toMatchObject({ kind: "stopped" });
    expect(elb.commandCalls(DescribeRulesCommand)[0]?.args[0].input).toEqual({ RuleArns: [PRODUCTION_RULE, TEST_RULE] });
    expect(ecs.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: `arn:aws:ecs:eu-central-1:123456789012:service-deployment/prod-cluster/prod-service/${RELEASE}`,
      stopType: "ROLLBACK",
    });
    const notice = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    expect(notice).toMatchObject({
      summary: expect.stringContaining("With 10 % of real traffic on the new version"),
      actionsTaken: ["Stopped the ECS deployment with rollback: traffic goes back to the previous version."],
    });
  });

  it("ends the watch when ECS says the deployment is over, without reading any metric", async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: "SUCCESSFUL" }] });
    scheduler.on(DeleteScheduleCommand).resolves({});
    await expect(handler()({ deploymentId: RELEASE }, context)).resolves.toEqual({ kind: "finished", status: "SUCCESSFUL" });
    expect(cloudWatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it("sees no canary traffic before ECS has moved production traffic (green at 0 %)", async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: "IN_PROGRESS" }] });
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        { RuleArn: PRODUCTION_RULE, Actions: [{ Type: "forward", TargetGroupArn: tg("prod-Blue") }] },
        { RuleArn: TEST_RULE, Actions: [{ Type: "forward", TargetGroupArn: tg("prod-Green") }] },
      ],
    });
    await expect(handler()({ deploymentId: RELEASE }, context)).resolves.toEqual({ kind: "no-canary-traffic" });
  });
});
