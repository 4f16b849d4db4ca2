import { DescribeServiceDeploymentsCommand, ECSClient } from "@aws-sdk/client-ecs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { eventBridgeNotices } from "@hands-off-ops/core/aws/notices";
import { ecsServiceDeployments } from "@hands-off-ops/core/aws/service-deployments";
import { readEcsHookEnvironment } from "@hands-off-ops/core/canary/environment";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createEcsHookHandler } from "../../../functions/ecs-hook";
import { stageSettings } from "../../../stacks/config";
import { ecsHookVariables } from "../../../stacks/lambda-environment";
import { ecsHookEvent } from "../../fixtures/events";
import { healthyAnswer, ok, PROD_CANARY, scriptedHttp } from "./helpers";

const ecs = mockClient(ECSClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  ecs.reset();
  events.reset();
});

const ecsProd = stageSettings("prod", { release: { controller: "ecs" } });
const env = readEcsHookEnvironment({
  ...ecsHookVariables({ stage: "prod", name: "hands-off-ops" }, ecsProd, {
    testUrl: "http://green.test:9000",
    productionUrl: "http://blue.test",
  }),
  CANARY_SETTINGS: JSON.stringify({
    ...PROD_CANARY,
    warmup: { retries: 1, minDelayMs: 10 },
    comparison: { ...PROD_CANARY.comparison, requests: 40 },
  }),
});
const context = { getRemainingTimeInMillis: () => 120_000 } as Context;
const DEPLOYMENT_ARN = ecsHookEvent("POST_TEST_TRAFFIC_SHIFT").resourceArn as string;

function handlerWith(answer: Parameters<typeof scriptedHttp>[0]) {
  const deployments = ecsServiceDeployments();
  return createEcsHookHandler(
    env,
    {
      http: scriptedHttp(answer),
      isFirstDeployment: (arn) => deployments.isFirstDeployment(arn),
      sleep: () => new Promise<void>(() => {}),
      now: () => Date.parse("2026-11-30T10:00:00Z"),
    },
    eventBridgeNotices(),
  );
}

/** DescribeServiceDeployments as ECS answers it: a service deployment with one source revision, or none (the first). */
function serviceDeployment(first: boolean) {
  ecs.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT_ARN] }).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: DEPLOYMENT_ARN,
        status: "IN_PROGRESS",
        sourceServiceRevisions: first
          ? []
          : [{ arn: "arn:aws:ecs:us-west-2:123456789012:service-revision/my-cluster/my-service/1920498462936580504" }],
        targetServiceRevision: { arn: "arn:aws:ecs:us-west-2:123456789012:service-revision/my-cluster/my-service/9313423515462893900" },
      },
    ],
    failures: [],
  });
}

const postedNotice = () => JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "null");

describe("the ECS lifecycle hook function", () => {
  it("answers ECS SUCCEEDED and posts the verdict, under ECS's name for the stage, into the release's thread", async () => {
    serviceDeployment(false);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    const answer = await handlerWith((request) => healthyAnswer(request))(ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), context);
    expect(answer).toEqual({ hookStatus: "SUCCEEDED" });
    const notice = postedNotice();
    expect(notice).toMatchObject({
      title: "POST_TEST_TRAFFIC_SHIFT passed for release EZe5RNVLH6PPzHXINuP28",
      thread: { deploymentId: "EZe5RNVLH6PPzHXINuP28", role: "reply" },
      actionsTaken: ["Returned SUCCEEDED to ECS: the release goes on."],
    });
    expect(notice.offers ?? []).toEqual([]);
  });

  it("after production traffic moved, says ECS keeps the previous revision for its bake time (and offers no Finish now: ECS has no such call)", async () => {
    serviceDeployment(false);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    const answer = await handlerWith((request) => healthyAnswer(request))(ecsHookEvent("POST_PRODUCTION_TRAFFIC_SHIFT"), context);
    expect(answer).toEqual({ hookStatus: "SUCCEEDED" });
    expect(postedNotice().actionsTaken).toEqual([
      `Returned SUCCEEDED to ECS: users are on the new version; ECS keeps the previous revision ${ecsProd.release.blueTerminationWaitMinutes} min (its bake time) and rolls back if a release alarm fires.`,
    ]);
    expect(postedNotice().offers ?? []).toEqual([]);
  });

  it("answers FAILED, and says so in the thread, when a check fails", async () => {
    serviceDeployment(false);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    // The new version (the test listener) fails; the current one does not.
    const greenHealth = (url: string) => url.startsWith("http://green.test:9000") && url.endsWith("/health");
    const answer = await handlerWith((request) => (greenHealth(request.url) ? ok(10, 503, "DOWN") : healthyAnswer(request)))(
      ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"),
      context,
    );
    expect(answer).toEqual({ hookStatus: "FAILED" });
    expect(postedNotice()).toMatchObject({
      severity: "critical",
      actionsTaken: ["Returned FAILED to ECS: it rolls the release back to the previous revision."],
    });
  });

  it("asks ECS whether this is the service's first deployment, and then compares nothing", async () => {
    serviceDeployment(true);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    const answer = await handlerWith((request) => healthyAnswer(request))(ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), context);
    expect(answer).toEqual({ hookStatus: "SUCCEEDED" });
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(1);
    expect(postedNotice().summary).toMatch(/no comparison: this is the service's first deployment/);
  });

  it("answers FAILED (ECS rolls back) to an event it cannot read, and to one that names no service deployment", async () => {
    const handle = handlerWith((request) => healthyAnswer(request));
    expect(await handle({ hello: "world" }, context)).toEqual({ hookStatus: "FAILED" });
    expect(
      await handle(
        { ...ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), resourceArn: "arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service" },
        context,
      ),
    ).toEqual({
      hookStatus: "FAILED",
    });
    expect(await handle({ ...ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), lifecycleStage: "ROLLBACK" }, context)).toEqual({
      hookStatus: "FAILED",
    });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("keeps its answer when the verdict cannot be posted: a lost message is no reason to roll back", async () => {
    serviceDeployment(false);
    events.on(PutEventsCommand).rejects(new Error("EventBridge is down"));
    const answer = await handlerWith((request) => healthyAnswer(request))(ecsHookEvent("POST_PRODUCTION_TRAFFIC_SHIFT"), context);
    expect(answer).toEqual({ hookStatus: "SUCCEEDED" });
  });

  it("answers FAILED when ECS's record of the deployment cannot be read", async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT_ARN, reason: "MISSING" }] });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    const answer = await handlerWith((request) => healthyAnswer(request))(ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), context);
    expect(answer).toEqual({ hookStatus: "FAILED" });
    expect(postedNotice().summary).toMatch(/ECS has no service deployment .*: MISSING/);
  });
});
