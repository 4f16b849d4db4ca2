import { CloudWatchClient, DescribeAlarmsCommand, GetMetricWidgetImageCommand } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { dynamoNotifyStore } from "@hands-off-ops/core/aws/notify-store";
import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { webhookSlack } from "@hands-off-ops/core/notify/slack-webhook";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createNotifyHandler, handler } from "../../functions/notify";
import { stageSettings } from "../../stacks/config";
import { backToOk, deploymentEvent, loadEvent, releaseAlarmEvent } from "../fixtures/events";
import { channelId, type SlackStandIn, startSlackStandIn } from "../helpers/slack-stand-in";
import { LOCAL_CREDENTIALS, type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";
import { memoryOnce } from "../unit/notify/fakes";

/**
 * The real notify handler (functions/notify.ts) with its real adapters: Slack
 * through @slack/web-api against a local stand-in, the state table on a local
 * DynamoDB (moto); SNS, CloudWatch and Secrets Manager through
 * aws-sdk-client-mock.
 */

const TABLE = "prod-state";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:prod-on-call";
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);
const secrets = mockClient(SecretsManagerClient);
const codeDeploy = mockClient(CodeDeployClient);
let slack: SlackStandIn;
let dynamo: LocalDynamo;
const saved = { ...process.env };

function environment() {
  return {
    STAGE: "prod",
    APP_NAME: "hands-off-ops",
    AWS_REGION: "eu-central-1",
    NOTIFY_SETTINGS: JSON.stringify(stageSettings("prod", {}).notifications),
    ON_CALL_TOPIC_ARN: TOPIC,
    STATE_TABLE: TABLE,
    SLACK_SECRET_ID: "prod-slack",
    DASHBOARD_NAME: "prod-hands-off-ops-Observability",
    CLUSTER_NAME: "prod-hands-off-ops-cluster",
    SERVICE_NAME: "prod-hands-off-ops-service",
    LOG_GROUP_NAME: "prod-hands-off-ops-Service-ServiceLogs",
    CRITICAL_ALARMS: "prod-hands-off-ops-Alb5xxRate",
    RELEASE_ALARMS: "prod-hands-off-ops-Alb5xxRate",
    SLACK_API_URL: slack.apiUrl,
    SLACK_RETRIES: "3",
    SLACK_RETRY_MIN_DELAY_MS: "50",
  };
}

function lambdaContext(): Context {
  return {
    functionName: "prod-hands-off-ops-Automation-Notify",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:prod-hands-off-ops-Automation-Notify",
    memoryLimitInMB: "256",
    awsRequestId: crypto.randomUUID(),
    logGroupName: "/aws/lambda/notify",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 120_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const invoke = (event: unknown) => handler(event, lambdaContext());
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

beforeAll(async () => {
  slack = await startSlackStandIn();
  dynamo = await motoDynamo();
  Object.assign(process.env, environment(), {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_METRICS_NAMESPACE: "HandsOffOps",
  });
});
afterAll(async () => {
  process.env = saved;
  await slack.close();
  await dynamo.close();
});
beforeEach(async () => {
  await dynamo.freshTable(TABLE);
  slack.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  cloudWatch.reset();
  cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: new Uint8Array(PNG) });
  codeDeploy.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ botToken: "xoxb-stand-in-token" }) });
});
afterEach(() => vi.restoreAllMocks());

describe("the notify handler against a Slack stand-in and a local DynamoDB", () => {
  it("keeps a release in one thread: start, replies, and the start updated with the outcome", async () => {
    await invoke(deploymentEvent("START", "d-THREAD1"));
    const notice = loadEvent("automation-action");
    notice.detail.thread.deploymentId = "d-THREAD1";
    notice.detail.severity = "info";
    await invoke(notice);
    await invoke(deploymentEvent("SUCCESS", "d-THREAD1"));

    const posts = slack.calls("chat.postMessage");
    expect(posts.map((p) => [p.body.channel, p.body.thread_ts ?? null])).toEqual([
      ["#ops-releases", null],
      [channelId("#ops-releases"), "1700000000.000100"],
      [channelId("#ops-releases"), "1700000000.000100"],
    ]);
    const [update] = slack.calls("chat.update");
    expect(update?.body).toMatchObject({ channel: channelId("#ops-releases"), ts: "1700000000.000100" });
    expect(JSON.stringify(update?.body.blocks)).toContain("Release d-THREAD1 succeeded");
    expect(slack.requests.every((r) => r.authorization === "Bearer xoxb-stand-in-token")).toBe(true);
    expect(published()).toEqual([]); // info is not e-mailed in prod
  });

  it("posts an alarm with its metric graph in the thread, and e-mails on-call", async () => {
    const report = await invoke(releaseAlarmEvent());
    expect(report).toMatchObject({ slack: "posted", email: "sent", graph: "attached" });
    const [post] = slack.calls("chat.postMessage");
    expect(post?.body.channel).toBe("#ops-oncall");
    expect(slack.calls("files.getUploadURLExternal")[0]?.body).toMatchObject({ filename: "graph.png", length: String(PNG.length) });
    expect(slack.calls("upload")[0]?.bytes).toBeGreaterThanOrEqual(PNG.length);
    expect(slack.calls("files.completeUploadExternal")[0]?.body).toMatchObject({
      channel_id: channelId("#ops-oncall"),
      thread_ts: "1700000000.000100",
    });
    expect(JSON.parse(cloudWatch.commandCalls(GetMetricWidgetImageCommand)[0]?.args[0].input.MetricWidget ?? "{}")).toMatchObject({
      title: "Alb5xxRate",
      annotations: { horizontal: [{ value: 50, label: "threshold" }] },
    });
    expect(published()).toEqual([
      { TopicArn: TOPIC, Subject: "[CRITICAL] prod hands-off-ops: Alb5xxRate is in ALARM", Message: expect.stringContaining("Next step") },
    ]);
  });

  it("posts and e-mails a duplicate delivery once", async () => {
    await invoke(releaseAlarmEvent());
    await invoke(releaseAlarmEvent());
    expect(slack.calls("chat.postMessage")).toHaveLength(1);
    expect(published()).toHaveLength(1);
  });

  it("keeps a flapping alarm one incident: one message, updated, each change a reply in its thread", async () => {
    const alarm = releaseAlarmEvent();
    await invoke(alarm);
    await invoke(backToOk(alarm, "flap-2", "2019-10-02T17:09:00Z"));
    await invoke({ ...alarm, id: "flap-3", time: "2019-10-02T17:14:00Z" });
    const posts = slack.calls("chat.postMessage");
    const [parent, ...replies] = posts;
    expect(parent?.body.thread_ts).toBeUndefined();
    expect(replies.map((r) => r.body.thread_ts)).toEqual([expect.any(String), expect.any(String)]);
    const updates = slack.calls("chat.update");
    expect(updates).toHaveLength(2);
    expect(JSON.stringify(updates[1]?.body.blocks)).toContain("ALARM 17:04 → OK 17:09 → ALARM 17:14 (3 events in 9 min, UTC)");
    // The page, its end (inside the window: e-mail is the only channel of a stage without a bot token), its return.
    expect(published().map((p) => p.Subject)).toEqual([
      "[CRITICAL] prod hands-off-ops: Alb5xxRate is in ALARM",
      "[RESOLVED] prod hands-off-ops: Alb5xxRate is back to OK",
      "[CRITICAL] prod hands-off-ops: Alb5xxRate is in ALARM",
    ]);
    expect(published()[2]?.Message).toContain("Repeated: ALARM 17:04 → OK 17:09 → ALARM 17:14");
    expect(published()[2]?.Message).toMatch(/Incident:\s+Back after it had ended\. alarm:prod-hands-off-ops-Alb5xxRate/);
  });

  it("tells a failed release from CodeDeploy's own report: its error and the rollback it started", async () => {
    // GetDeployment's deploymentInfo, shaped as the CodeDeploy API reference gives it (errorInformation, rollbackInfo).
    codeDeploy.on(GetDeploymentCommand, { deploymentId: "d-FAILED1" }).resolves({
      deploymentInfo: {
        deploymentId: "d-FAILED1",
        status: "Failed",
        errorInformation: {
          code: "ALARM_ACTIVE",
          message:
            "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <prod-hands-off-ops-Alb5xxRate>",
        },
        rollbackInfo: { rollbackDeploymentId: "d-ROLLBK1", rollbackMessage: "Automatic rollback triggered by alarm" },
      },
    });
    await invoke(deploymentEvent("START", "d-FAILED1"));
    await invoke(deploymentEvent("FAILURE", "d-FAILED1"));
    const mail = published().at(-1);
    expect(mail?.Subject).toBe("[CRITICAL] prod hands-off-ops: Release d-FAILED1 failed");
    expect(mail?.Message).toContain("CodeDeploy: One or more alarms have been activated");
    expect(mail?.Message).toContain("ALARM_ACTIVE");
    expect(mail?.Message).toContain("CodeDeploy started rollback deployment d-ROLLBK1.");
    expect(mail?.Message).toContain("codedeploy/deployments/d-ROLLBK1");
  });

  it("claims no rollback when CodeDeploy's report cannot be read, and says so", async () => {
    codeDeploy.on(GetDeploymentCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    await invoke(deploymentEvent("FAILURE", "d-FAILED2"));
    const mail = published().at(-1);
    expect(mail?.Message).toContain("could not be read (AccessDeniedException: User is not authorized)");
    expect(mail?.Message).not.toContain("rolled back");
    expect(mail?.Message).not.toContain("What the automation did");
  });

  it("honours Slack's Retry-After on 429, then posts", async () => {
    slack.answerNext(1, { status: 429, headers: { "retry-after": "1" } });
    const started = Date.now();
    const report = await invoke(releaseAlarmEvent());
    const [limited, accepted] = slack.calls("chat.postMessage");
    expect(report).toMatchObject({ slack: "posted" });
    expect((accepted?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("retries a 5xx with backoff and posts once Slack answers", async () => {
    slack.answerNext(2, { status: 503 });
    await expect(invoke(releaseAlarmEvent())).resolves.toMatchObject({ slack: "posted" });
    expect(slack.calls("chat.postMessage")).toHaveLength(3);
  });

  it("when Slack stays down: e-mails, fails so Lambda retries (then the dead-letter queue), and posts once Slack is back, without e-mailing twice", async () => {
    slack.goDown({ status: 500 });
    await expect(invoke(releaseAlarmEvent())).rejects.toMatchObject({ name: "DeliveryError", report: { email: "sent", slack: "failed" } });
    await expect(invoke(releaseAlarmEvent())).rejects.toMatchObject({ name: "DeliveryError" });
    expect(published()).toHaveLength(1);
    expect(slack.calls("chat.postMessage")).toHaveLength(8); // 2 invocations × (1 + 3 retries)

    slack.recover();
    await expect(invoke(releaseAlarmEvent())).resolves.toMatchObject({ slack: "posted", email: "sent" });
    expect(published()).toHaveLength(1);
  });

  it("logs an unreadable event with its id and reason, counts it, and still posts it", async () => {
    // Powertools writes INFO and metrics to stdout, errors to stderr.
    const output = [vi.spyOn(process.stdout, "write"), vi.spyOn(process.stderr, "write")];
    const event = { ...loadEvent("ecs-task-state-change"), id: "bad-event-1", detail: { lastStatus: 42 } };
    await expect(invoke(event)).resolves.toMatchObject({ slack: "posted", email: "sent" });
    const lines = output.flatMap((spy) => spy.mock.calls.map(([chunk]) => String(chunk)));
    const logged = lines
      .map((l) => l.trim())
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "Unrecognised event, posted as a generic message",
        eventId: "bad-event-1",
        reason: expect.stringMatching(/^task event detail/),
      }),
    );
    expect(
      logged.some((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: { Name: string }) => m.Name === "EventsUnrecognised")),
    ).toBe(true);
    expect(JSON.stringify(slack.calls("chat.postMessage")[0]?.body.blocks)).toContain(
      "Could not read an event about ECS Task State Change",
    );
  });
});

describe("a reminder for an alarm that stays in ALARM (notifications.remindAfterHours)", () => {
  // EventBridge's event for a scheduled rule, as its reference gives it (events-ref-events.html).
  const sweep = {
    version: "0",
    id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "123456789012",
    time: "2026-11-24T22:15:00Z",
    region: "eu-central-1",
    resources: ["arn:aws:events:eu-central-1:123456789012:rule/prod-hands-off-ops-NotifyReminders"],
    detail: {},
  };
  // DescribeAlarms' MetricAlarms entry, in the shape of the CloudWatch API reference.
  const described = (state: "ALARM" | "OK") => ({
    MetricAlarms: [
      {
        AlarmName: "prod-hands-off-ops-Alb5xxRate",
        StateValue: state,
        StateTransitionedTimestamp: new Date("2019-10-02T17:04:40Z"),
        StateUpdatedTimestamp: new Date("2019-10-02T17:04:40Z"),
      },
    ],
    CompositeAlarms: [],
  });

  it("replies once in the incident's thread while CloudWatch still has the alarm in ALARM, and pages nobody", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves(described("ALARM"));
    await invoke(releaseAlarmEvent());
    const [parent] = slack.calls("chat.postMessage");
    const pages = published().length;
    expect(await invoke(sweep)).toEqual({ reminded: "alarm:prod-hands-off-ops-Alb5xxRate" });
    expect(await invoke({ ...sweep, id: "second-sweep" })).toMatchObject({ skipped: expect.stringContaining("was reminded at") });
    const replies = slack.calls("chat.postMessage").filter((p) => p.body.thread_ts);
    const reminders = replies.filter((p) => JSON.stringify(p.body.blocks).includes("Still in ALARM after"));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.body).toMatchObject({ channel: channelId("#ops-oncall"), thread_ts: "1700000000.000100" });
    expect(parent?.body.thread_ts).toBeUndefined();
    expect(published()).toHaveLength(pages);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({
      AlarmNames: ["prod-hands-off-ops-Alb5xxRate"],
    });
  });

  it("reminds nobody when CloudWatch has the alarm in OK now (its OK event late or lost)", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves(described("OK"));
    await invoke(releaseAlarmEvent());
    expect(await invoke(sweep)).toMatchObject({ skipped: expect.stringContaining("in ALARM now") });
    expect(slack.calls("chat.postMessage").filter((p) => JSON.stringify(p.body.blocks).includes("Still in ALARM"))).toEqual([]);
  });
});

describe("webhook mode (no threads, no updates)", () => {
  it("posts each release message on its own, and an alarm's end inside the window (a webhook cannot update)", async () => {
    const env = readNotifyEnvironment({
      ...environment(),
      NOTIFY_SETTINGS: JSON.stringify(stageSettings("prod", { notifications: { slack: { mode: "webhook" } } }).notifications),
    });
    const webhook = createNotifyHandler(env, {
      registerContext: () => {},
      deploymentReports: { report: async () => ({}) },
      serviceDeployments: { latestAt: async () => ({ releaseId: "EZe5RNVLH6PPzHXINuP28", status: "IN_PROGRESS" }) },
      serviceCounts: { counts: async () => ({ running: 2, desired: 2 }) },
      alarms: { now: async () => null },
      ports: async () => ({
        slack: webhookSlack(slack.webhookUrl, { retries: 1, minRetryDelayMs: 50 }),
        email: { send: async () => {} },
        graphs: { render: async () => new Uint8Array(PNG) },
        store: dynamoNotifyStore(TABLE, dynamo.client),
        once: memoryOnce(),
      }),
    });
    await webhook(deploymentEvent("START", "d-HOOK1"), lambdaContext());
    await webhook(deploymentEvent("SUCCESS", "d-HOOK1"), lambdaContext());
    const alarm = releaseAlarmEvent();
    await webhook(alarm, lambdaContext());
    await webhook(backToOk(alarm, "hook-2", "2019-10-02T17:09:00Z"), lambdaContext());

    const posts = slack.calls("webhook");
    expect(posts).toHaveLength(4);
    expect(posts.map((p) => (p.body.text as string).split(" — ")[0])).toEqual([
      "INFO prod: Release d-HOOK1 started",
      "INFO prod: Release d-HOOK1 succeeded",
      "CRITICAL prod: Alb5xxRate is in ALARM",
      "RESOLVED prod: Alb5xxRate is back to OK",
    ]);
    expect(slack.calls("chat.postMessage")).toHaveLength(0);
  });
});
