import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ecsHookEvent, lifecycleHookEvent, releaseAlarmEvent } from "../fixtures/events";
import { AwsStandIn } from "../helpers/aws-stand-in";
import { invokeBundle } from "../helpers/invoke-bundle";
import { releaseStart, releaseUpdate } from "../helpers/lambda-main-events";
import { bundleOf, deployedFunctions, environmentOf } from "./lambda-bundles";

/**
 * The bundles as deployed, run on a bare Node with a real event, their AWS
 * calls sent to a local stand-in for the AWS APIs (AWS_ENDPOINT_URL) and
 * their smoke checks to a local stand-in for the service. This proves the
 * wiring the unit tests replace with fakes: adapters imported on first use,
 * the SDK clients they build, the requests those send.
 *
 * Why a stand-in here and not moto (which the adapters meet elsewhere:
 * DynamoDB, ECS, Application Auto Scaling, RDS, Scheduler, EventBridge): what
 * these bundles call first is what moto 5.2 lacks — CodeDeploy's
 * PutLifecycleEventHookExecutionStatus, StopDeployment and
 * GetDeploymentTarget (moto's CodeDeploy only creates, gets and lists), and
 * Slack's Web API, which no peer implements. This test checks the calls a bundle sends, not
 * what AWS answers.
 */

const aws = new AwsStandIn();
beforeAll(() => aws.start());
afterAll(() => aws.stop());
beforeEach(() => {
  aws.calls.length = 0;
  aws.service["/health"] = [200, "UP"];
});
const awsCalls = () => aws.calls.filter((call) => !call.operation.startsWith("GET "));

async function invoke(
  handler: string,
  match: (env: Record<string, string>) => boolean,
  event: unknown,
  overrides: Record<string, string> = {},
) {
  const found = deployedFunctions().find((entry) => entry.handler === handler && match(environmentOf(entry.fn)));
  if (!found) throw new Error(`no deployed ${handler} matches`);
  const env = { ...aws.environment(), POWERTOOLS_LOG_LEVEL: "ERROR", ...environmentOf(found.fn), ...overrides };
  // biome-ignore lint/suspicious/noExplicitAny: results are checked field by field.
  return (await invokeBundle(bundleOf(found.fn, found.outdir), handler.split(".").at(-1) as string, event, env)).result as any;
}
const any = () => true;

describe("the canary hook bundle, with a real lifecycle event", () => {
  const afterAllowTraffic = (env: Record<string, string>) => env.HOOK === "AfterAllowTraffic";
  const quickWarmup = (env: Record<string, string>) => {
    const settings = JSON.parse(env.CANARY_SETTINGS ?? "{}");
    return JSON.stringify({ ...settings, warmup: { retries: 0, minDelayMs: 10 } });
  };
  const hookEnv = () => {
    const found = deployedFunctions().find((e) => e.handler === "functions/canary-hook.handler" && afterAllowTraffic(environmentOf(e.fn)));
    return environmentOf(found?.fn ?? { Type: "", Properties: {} });
  };

  it("runs the smoke checks and reports Succeeded to CodeDeploy, then tells on-call", async () => {
    const event = lifecycleHookEvent();
    const verdict = await invoke("functions/canary-hook.handler", afterAllowTraffic, event, {
      TEST_URL: aws.url,
      PRODUCTION_URL: aws.url,
      CANARY_SETTINGS: quickWarmup(hookEnv()),
    });
    expect(verdict.reason).toBe("4 smoke checks passed");
    expect(awsCalls().map((call) => call.operation)).toEqual([
      "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus",
      "AWSEvents.PutEvents",
    ]);
    expect(awsCalls()[0]?.body).toEqual({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status: "Succeeded",
    });
    const [entry] = (awsCalls()[1]?.body.Entries ?? []) as { Source: string; DetailType: string; Detail: string }[];
    expect(entry).toMatchObject({ Source: "hands-off-ops", DetailType: "Automation Action" });
    expect(JSON.parse(entry?.Detail ?? "{}").stage).toBe("prod");
  });

  it("reports Failed when the new version's health check fails", async () => {
    aws.service["/health"] = [503, "DOWN"];
    const verdict = await invoke("functions/canary-hook.handler", afterAllowTraffic, lifecycleHookEvent(), {
      TEST_URL: aws.url,
      PRODUCTION_URL: aws.url,
      CANARY_SETTINGS: quickWarmup(hookEnv()),
    });
    expect(verdict.status).toBe("Failed");
    expect(awsCalls()[0]?.body.status).toBe("Failed");
  });
});

describe("the ECS lifecycle hook bundle, with the developer guide's payload (release.controller ecs)", () => {
  it("asks ECS about the deployment, runs the smoke checks and the comparison, returns SUCCEEDED and tells on-call", async () => {
    const found = deployedFunctions().find((e) => e.handler === "functions/ecs-hook.handler");
    const settings = JSON.parse(environmentOf(found?.fn ?? { Type: "", Properties: {} }).CANARY_SETTINGS ?? "{}");
    const answer = await invoke("functions/ecs-hook.handler", any, ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"), {
      TEST_URL: aws.url,
      PRODUCTION_URL: aws.url,
      CANARY_SETTINGS: JSON.stringify({ ...settings, warmup: { retries: 0, minDelayMs: 10 } }),
    });
    expect(answer).toEqual({ hookStatus: "SUCCEEDED" });
    expect(awsCalls().map((call) => call.operation)).toEqual([
      "AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments",
      "AWSEvents.PutEvents",
    ]);
    expect(awsCalls()[0]?.body).toEqual({ serviceDeploymentArns: [ecsHookEvent("POST_TEST_TRAFFIC_SHIFT").resourceArn] });
  });
});

describe("the other bundles, each with the event it exists for", () => {
  it("rollback: a release alarm with nothing deploying records its decision and tells on-call, once", async () => {
    const result = await invoke("functions/rollback.handler", any, releaseAlarmEvent("prod"));
    expect(result.decision.action).toBe("none");
    // The alarm first, then CodeDeploy and the ledger at once: their order varies.
    expect(
      awsCalls()
        .map((call) => call.operation)
        .sort(),
    ).toEqual([
      "AWSEvents.PutEvents",
      "CodeDeploy_20141006.ListDeployments",
      "CodeDeploy_20141006.ListDeployments",
      "DynamoDB_20120810.PutItem",
      "DynamoDB_20120810.PutItem",
      "DynamoDB_20120810.Query",
      "DynamoDB_20120810.UpdateItem",
      "GraniteServiceVersion20100801.DescribeAlarms",
    ]);
  });

  it("notify: a release alarm is mailed, posted to Slack with its graph, and remembered", async () => {
    const result = await invoke("functions/notify.handler", any, releaseAlarmEvent("prod"));
    expect(result).toMatchObject({ email: "sent", slack: "posted", graph: "attached" });
    const operations = awsCalls().map((call) => call.operation);
    expect(operations).toEqual(
      expect.arrayContaining([
        "Publish",
        "secretsmanager.GetSecretValue",
        "slack chat.postMessage",
        "GraniteServiceVersion20100801.GetMetricWidgetImage",
        "slack files.completeUploadExternal",
      ]),
    );
    expect(operations.filter((operation) => operation.startsWith("DynamoDB_20120810")).length).toBeGreaterThan(3);
  });

  it("schedule: a check converges the dev stage, reading the service, its scaling and the database", async () => {
    const result = await invoke("functions/schedule.handler", any, { action: "check" });
    expect(result.decision.state).toMatch(/^(awake|asleep)$/);
    expect(awsCalls().map((call) => call.operation)).toEqual(
      expect.arrayContaining([
        "AmazonEC2ContainerServiceV20141113.DescribeServices",
        "AnyScaleFrontendService.DescribeScalableTargets",
        "DescribeDBInstances",
      ]),
    );
  });

  it("release: an update of Custom::Release starts a CodeDeploy deployment", async () => {
    const result = await invoke("functions/release.onEvent", any, releaseUpdate());
    expect(result.Data.DeploymentId).toBe("d-STANDIN01");
    expect(awsCalls().map((call) => call.operation)).toEqual([
      "AmazonEC2ContainerServiceV20141113.DescribeServices",
      // No deployment active in the group (CodeDeploy runs one per group): a new one may start.
      "CodeDeploy_20141006.ListDeployments",
      "CodeDeploy_20141006.CreateDeployment",
    ]);
  });

  it("canary watch: a release's start creates its minute schedule", async () => {
    const result = await invoke("functions/canary-watch.handler", any, releaseStart());
    expect(result).toEqual({ watching: "started" });
    expect(awsCalls().map((call) => call.operation)).toEqual(["POST /schedules/…"]);
  });
});
