import { createServer, type Server } from "node:http";
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from "@aws-sdk/client-codedeploy";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { dynamoNotifyStore } from "@hands-off-ops/core/aws/notify-store";
import { dynamoChatOpsAudit, dynamoTicketStore } from "@hands-off-ops/core/aws/ticket-store";
import { readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import { buttonIssuer } from "@hands-off-ops/core/chatops/tickets";
import { deliver } from "@hands-off-ops/core/notify/deliver";
import { automationEntry } from "@hands-off-ops/core/notify/sources/automation";
import { webApiSlack } from "@hands-off-ops/core/slack/web-api";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChatOpsHandler } from "../../functions/slack-actions";
import { awsDependencies } from "../../packages/core/src/chatops/aws-dependencies";
import { stageSettings } from "../../stacks/config";
import { backToOk, loadEvent, releaseAlarmEvent } from "../fixtures/events";
import { type Invocation, type LambdaStandIn, startLambdaStandIn, THROTTLED } from "../helpers/lambda-stand-in";
import { type SlackStandIn, startSlackStandIn } from "../helpers/slack-stand-in";
import { LOCAL_CREDENTIALS, type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";
import { MOTO_CLIENT } from "../peers/moto-server";
import { approvalRequest, CHATOPS_SETTINGS, formBody, pressPayload, SECRET, sign } from "../unit/chatops/signed-requests";
import { fixedGraphs, memoryOnce, recordingEmail } from "../unit/notify/fakes";
import { messageOf } from "../unit/notify/message-of";

/**
 * The interactivity endpoint as Slack meets it: a real HTTP server on
 * loopback in front of the real handler (functions/slack-actions.ts) with its
 * real adapters — tickets, incidents and the audit in moto's DynamoDB, Slack's
 * Web API and Lambda's Invoke API on local stand-ins, the secret through
 * aws-sdk-client-mock. The endpoint queues an accepted click with its real
 * adapter (an asynchronous Invoke of itself); the Lambda stand-in runs that
 * Invoke's payload in this process, as the second invocation would, or
 * fails it as Lambda can.
 */

const TABLE = "prod-state";
const DEADLINE_GROUP = "prod-hands-off-ops-approvals";
const codeDeploy = mockClient(CodeDeployClient);
const events = mockClient(EventBridgeClient);
let handle: ReturnType<typeof createChatOpsHandler>;
const KEY = "alarm:prod-hands-off-ops-Alb5xxRate";
const secrets = mockClient(SecretsManagerClient);
let lambda: LambdaStandIn;
const SELF = "prod-hands-off-ops-slack-actions";
const ROLLBACK = "arn:aws:lambda:eu-central-1:123456789012:function:prod-hands-off-ops-rollback";
const saved = { ...process.env };
let dynamo: LocalDynamo;
let slack: SlackStandIn;
let server: Server;
let url: string;
let told: string[] = [];
let clicks: Promise<unknown>[] = [];
let notifier: ReturnType<typeof notifierPorts>;

/** Lambda's asynchronous invocation of the endpoint itself: the queued event, run here once Lambda accepted it. */
const runInvocation = async ({ functionName, type, payload }: Invocation) => {
  if (functionName === SELF && type === "Event") clicks.push(handle(payload as Parameters<typeof handle>[0]));
  return null;
};
const selfInvocations = () => lambda.invocations.filter((i) => i.functionName === SELF);

/** The notifier's ports, as functions/notify.ts builds them: the incidents and tickets in moto, e-mail recorded. */
function notifierPorts() {
  return {
    slack: webApiSlack("xoxb-test-token", { apiUrl: slack.apiUrl, retries: 0, minRetryDelayMs: 1 }),
    email: recordingEmail(),
    graphs: fixedGraphs(),
    store: dynamoNotifyStore(TABLE, dynamo.client),
    once: memoryOnce(),
    buttons: buttonIssuer("prod", 24, dynamoTicketStore(TABLE, dynamo.client)),
  };
}

const settings = CHATOPS_SETTINGS;

beforeAll(async () => {
  slack = await startSlackStandIn();
  dynamo = await motoDynamo();
  lambda = await startLambdaStandIn();
  lambda.run = runInvocation;
  Object.assign(process.env, {
    AWS_REGION: "eu-central-1",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: dynamo.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  const env = readChatOpsEnvironment({
    STAGE: "prod",
    CHATOPS_SETTINGS: JSON.stringify(settings),
    STATE_TABLE: TABLE,
    SLACK_SECRET_ID: "prod-slack",
    AWS_LAMBDA_FUNCTION_NAME: SELF,
    ROLLBACK_FUNCTION: ROLLBACK,
    SLACK_API_URL: slack.apiUrl,
    TIME_ZONE: "Europe/Berlin",
    APPROVAL_SCHEDULE_GROUP: DEADLINE_GROUP,
    APPROVAL_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/prod-approval-deadlines",
    APPROVAL_TARGET_ARN: "arn:aws:lambda:eu-central-1:123456789012:function:prod-hands-off-ops-slack-actions",
  });
  const real = awsDependencies(env);
  handle = createChatOpsHandler(env, {
    ...real,
    accept: {
      ...real.accept,
      // response_url points at hooks.slack.com, which a test cannot reach: what the person would read is kept.
      tellPresser: async (_url, text) => void told.push(text),
    },
  });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      // What a function URL hands Lambda: lower-case headers, the raw body (base64 when not text).
      const raw = Buffer.concat(chunks);
      const text = raw.toString("utf8");
      const binary = !Buffer.from(text, "utf8").equals(raw);
      const event = {
        version: "2.0",
        rawPath: req.url,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v])),
        body: binary ? raw.toString("base64") : text,
        isBase64Encoded: binary,
        requestContext: { http: { method: req.method } },
      } as unknown as LambdaFunctionURLEvent;
      // A function error reaches Slack as the HTTP API's 500 (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html).
      const result = (await handle(event).catch(() => ({ statusCode: 500, body: "Internal Server Error" }))) as {
        statusCode: number;
        body: string;
      };
      res.writeHead(result.statusCode, { "content-type": "text/plain" }).end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/actions`;
});

afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
  await slack.close();
  await dynamo.close();
  await lambda.close();
});

let ticketId: string;

beforeEach(async () => {
  await dynamo.freshTable(TABLE);
  slack.reset();
  secrets.reset();
  codeDeploy.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  lambda.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ botToken: "xoxb-test-token", signingSecret: SECRET }) });
  told = [];
  clicks = [];
  // An incident as the notifier posts it, with its Acknowledge button.
  notifier = notifierPorts();
  await deliver(messageOf(releaseAlarmEvent()), notifier, stageSettings("prod", {}).notifications);
  ticketId = (await notifier.store.incident(KEY))?.buttons?.[0]?.ticketId as string;
  slack.reset();
});

/** Slack's clock for the request: now, so that the timestamp check passes. */
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function post(request: { headers: Record<string, string | undefined>; body: string }) {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const response = await fetch(url, { method: "POST", headers, body: request.body });
  await Promise.all(clicks);
  return response.status;
}

const press = (over: Record<string, unknown> = {}, action: Record<string, unknown> = {}, at = nowSeconds()) =>
  sign(formBody(pressPayload(over, { value: ticketId, ...action })), at);

/** A signed request with one header rewritten (the signature stays that of the untouched request). */
const withHeader = (request: ReturnType<typeof press>, name: string, change: (value: string) => string) => ({
  ...request,
  headers: { ...request.headers, [name]: change(request.headers[name] as string) },
});

const incident = async () => dynamoNotifyStore(TABLE, dynamo.client).incident(KEY);
const ticket = async (id = ticketId) => dynamoTicketStore(TABLE, dynamo.client).ticket(id);
const notify = (event: ReturnType<typeof releaseAlarmEvent>) =>
  deliver(messageOf(event), notifier, stageSettings("prod", {}).notifications);

describe("the Slack interactivity endpoint, over HTTP", () => {
  it("acts on a signed press by an allowed person: the incident is acknowledged, its message updated, the click audited", async () => {
    expect(await post(press())).toBe(200);
    const updates = slack.calls("chat.update");
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain("by alice at");
    expect((await dynamoNotifyStore(TABLE, dynamo.client).incident(KEY))?.acknowledged).toMatchObject({ by: "U0ALICE001", name: "alice" });
    expect(await dynamoChatOpsAudit(TABLE, "prod", dynamo.client).trail(10)).toEqual([
      expect.objectContaining({ userId: "U0ALICE001", action: "acknowledge", subject: KEY, outcome: "acknowledged" }),
    ]);
    expect(slack.calls("usergroups.users.list")).toHaveLength(1);
  });

  it("acts exactly once on a triple click", async () => {
    // One after another: the ticket's conditional write is what is checked; moto does not lock items the way
    // DynamoDB does, so truly simultaneous presses would test moto's threads, not the condition.
    const statuses = [await post(press()), await post(press()), await post(press())];
    expect(statuses).toEqual([200, 200, 200]);
    expect(slack.calls("chat.update")).toHaveLength(1);
    expect(told).toEqual([
      expect.stringMatching(/^Not done: already done by <@U0ALICE001> at/),
      expect.stringMatching(/^Not done: already done by/),
    ]);
  });

  it.each([
    ["a forged signature", () => ({ ...press(), headers: { ...press().headers, "x-slack-signature": `v0=${"a".repeat(64)}` } }), 401],
    ["an altered body", () => ({ ...press(), body: press().body.replace("alice", "mallory") }), 401],
    ["a replayed request (6 minutes old)", () => press({}, {}, nowSeconds() - 360), 401],
    ["a request from the future", () => press({}, {}, nowSeconds() + 360), 401],
    ["no signature headers", () => ({ ...press(), headers: { "content-type": "application/x-www-form-urlencoded" } }), 401],
    ["a JSON body", () => sign(JSON.stringify(pressPayload()), nowSeconds()), 415],
    ["an oversized body", () => sign(`payload=${"x".repeat(200_000)}`, nowSeconds()), 413],
    ["a valid signature with a suffix after a second =", () => withHeader(press(), "x-slack-signature", (v) => `${v}=anything`), 401],
    ["a valid signature in upper-case hex", () => withHeader(press(), "x-slack-signature", (v) => `v0=${v.slice(3).toUpperCase()}`), 401],
    ["a repeated signature header", () => withHeader(press(), "x-slack-signature", (v) => `${v},${v}`), 401],
    ["a zero-padded timestamp (signed unpadded)", () => withHeader(press(), "x-slack-request-timestamp", (v) => `0${v}`), 401],
    ["a timestamp with a plus sign", () => withHeader(press(), "x-slack-request-timestamp", (v) => `+${v}`), 401],
    [
      "a replay of a valid press, re-dated",
      () => withHeader(press({}, {}, nowSeconds() - 360), "x-slack-request-timestamp", () => String(nowSeconds())),
      401,
    ],
    ["an unknown action", () => press({}, { action_id: "hoo:delete-everything" }), 400],
    ["a tampered value", () => press({}, { value: "not-a-ticket" }), 400],
  ])("refuses %s, and nothing happens", async (_what, request, status) => {
    const built = request();
    const json = built.body.startsWith("{");
    const headers = json ? { ...built.headers, "content-type": "application/json" } : built.headers;
    expect(await post({ ...built, headers })).toBe(status);
    expect(slack.calls("chat.update")).toEqual([]);
    expect((await dynamoNotifyStore(TABLE, dynamo.client).incident(KEY))?.acknowledged).toBeUndefined();
  });

  it.each([
    ["another workspace", { team: { id: "T0OTHER001" } }, "this Slack workspace is not the one prod answers"],
    ["another channel", { channel: { id: "C0RANDOM01" } }, "prod's buttons work only in its own channels (chatops.channels)"],
    [
      "a user outside the allowed group",
      { user: { id: "U0MALLORY1", username: "mallory" } },
      "you are not allowed to acknowledge incidents on prod",
    ],
  ])("answers a press from %s with 200, tells the person why, and does nothing", async (_what, over, reason) => {
    expect(await post(press(over))).toBe(200);
    expect(told).toEqual([`Not done: ${reason}.`]);
    expect(slack.calls("chat.update")).toEqual([]);
    // The ticket stays unused: the right person can still press it.
    expect(await post(press())).toBe(200);
    expect(slack.calls("chat.update")).toHaveLength(1);
  });
});

describe("a press on what has ended, over HTTP", () => {
  const alarm = releaseAlarmEvent();
  const ok = backToOk(alarm, "ok-1", "2019-10-02T17:05:30Z");
  const again = { ...alarm, id: "again", time: "2019-10-02T17:10:30Z" };
  // In the zone the incident's messages were written in (prod's, Europe/Berlin), with UTC beside.
  const ENDED = "this incident ended at 2019-10-02 19:05 CEST (17:05 UTC) — nothing was changed";

  it("a late Acknowledge (ALARM → OK → press) changes nothing, and the return 5 minutes later still pages", async () => {
    await notify(ok);
    slack.reset();
    const before = await incident();
    expect(await post(press())).toBe(200);
    expect(told).toEqual([`Not done: ${ENDED}.`]);
    expect(await incident()).toEqual(before);
    expect((await ticket())?.used).toBeUndefined();
    expect([slack.calls("chat.update"), lambda.invocations]).toEqual([[], []]);
    expect(await dynamoChatOpsAudit(TABLE, "prod", dynamo.client).trail(10)).toEqual([]);

    expect((await notify(again)).emailReason).toBe("reopened");
    // The page, the end, and the return's page: the late press silenced nothing.
    expect(notifier.email.sent.map((e) => e.subject)).toEqual([
      "[CRITICAL] prod hands-off-ops: Alb5xxRate is in ALARM",
      "[RESOLVED] prod hands-off-ops: Alb5xxRate is back to OK",
      "[CRITICAL] prod hands-off-ops: Alb5xxRate is in ALARM",
    ]);
    // Live again: the same, unused button now takes it.
    expect(await post(press())).toBe(200);
    expect((await incident())?.acknowledged).toMatchObject({ by: "U0ALICE001" });
  });

  it("a late Do it asks nothing of the rollback function and does not take the incident", async () => {
    const doItTicket = await escalatedWithDoIt();
    await notify(ok);
    expect(await post(press({}, { action_id: "hoo:do-it", value: doItTicket }))).toBe(200);
    expect(told).toEqual([`Not done: ${ENDED}.`]);
    expect(lambda.invocations).toEqual([]);
    expect((await incident())?.acknowledged).toBeUndefined();
    expect((await ticket(doItTicket))?.used).toBeUndefined();
    expect((await notify(again)).emailReason).toBe("reopened");
  });

  it("a Do it whose rollback function fails does not take the incident either", async () => {
    const doItTicket = await escalatedWithDoIt();
    lambda.failNext(ROLLBACK, Number.POSITIVE_INFINITY, THROTTLED);
    expect(await post(press({}, { action_id: "hoo:do-it", value: doItTicket }))).toBe(200);
    expect(lambda.invocations.filter((i) => i.functionName === ROLLBACK).length).toBeGreaterThan(0);
    expect((await dynamoChatOpsAudit(TABLE, "prod", dynamo.client).trail(10)).map((e) => e.outcome)).toEqual(["failed: Rate Exceeded."]);
    expect((await incident())?.acknowledged).toBeUndefined();
  });

  /** The automation rehearsed its decision in dry-run: the incident offers Do it (the notifier's own path). */
  async function escalatedWithDoIt() {
    const notice = messageOf(loadEvent("automation-action"));
    await deliver(
      {
        ...notice,
        severity: "critical",
        occurredAt: "2019-10-02T17:05:00Z",
        thread: null,
        incident: {
          role: "step",
          key: KEY,
          did: "Dry-run: would have rolled back release d-BAD to web:41; nothing was changed.",
          escalates: true,
          deployments: [],
          offers: "do-it",
        },
      },
      notifier,
      stageSettings("prod", {}).notifications,
    );
    slack.reset();
    const buttons = (await incident())?.buttons ?? [];
    return buttons.find((b) => b.action === "do-it")?.ticketId as string;
  }
});

describe("a click that cannot be queued, over HTTP", () => {
  it("answers Slack with an error, keeps the ticket usable, and a later press is carried out", async () => {
    // Throttled on every attempt the SDK makes (its standard retries included).
    lambda.failNext(SELF, Number.POSITIVE_INFINITY, THROTTLED);
    expect(await post(press())).toBe(500);
    expect(told).toEqual(["Not done: the click could not be handed on. Nothing was changed; press again."]);
    expect((await ticket())?.used).toBeUndefined();
    expect((await incident())?.acknowledged).toBeUndefined();
    expect([clicks, slack.calls("chat.update")]).toEqual([[], []]);

    lambda.reset();
    expect(await post(press())).toBe(200);
    expect(told).toHaveLength(1);
    expect((await ticket())?.used).toMatchObject({ by: "U0ALICE001" });
    expect((await incident())?.acknowledged).toMatchObject({ by: "U0ALICE001" });
    expect([selfInvocations().length, slack.calls("chat.update").length]).toEqual([1, 1]);
  });

  it("a throttle the SDK's retry gets past is one accepted click, carried out once", async () => {
    lambda.failNext(SELF, 1, THROTTLED);
    expect(await post(press())).toBe(200);
    expect(selfInvocations()).toHaveLength(2);
    expect([told, clicks.length, slack.calls("chat.update").length]).toEqual([[], 1, 1]);
  });

  it("gives back only its own use: a use by someone else since stays", async () => {
    const tickets = dynamoTicketStore(TABLE, dynamo.client);
    expect(await tickets.use(ticketId, "U0ALICE001", "2026-11-24T16:10:00.000Z")).toEqual({ first: true });
    await tickets.giveBack(ticketId, { by: "U0BOB00001", at: "2026-11-24T16:10:00.000Z" });
    await tickets.giveBack(ticketId, { by: "U0ALICE001", at: "2026-11-24T16:09:59.000Z" });
    expect((await ticket())?.used).toEqual({ by: "U0ALICE001", at: "2026-11-24T16:10:00.000Z" });
    await tickets.giveBack(ticketId, { by: "U0ALICE001", at: "2026-11-24T16:10:00.000Z" });
    expect((await ticket())?.used).toBeUndefined();
    // Giving back a ticket nobody holds is not an error (the condition fails quietly).
    await tickets.giveBack(ticketId, { by: "U0ALICE001", at: "2026-11-24T16:10:00.000Z" });
  });
});

describe("the approval gate, over HTTP", () => {
  const RELEASE = "d-GATED0001";
  const request = approvalRequest(RELEASE, "exec-42");

  /** The hook's request as the ApprovalRequests rule delivers it; then the waiting message as the notifier posts it. */
  async function opened() {
    const scheduler = new SchedulerClient({ ...MOTO_CLIENT, endpoint: dynamo.endpoint });
    await scheduler.send(new CreateScheduleGroupCommand({ Name: DEADLINE_GROUP })).catch(() => undefined);
    expect(await handle({ "detail-type": "Approval Requested", detail: request })).toEqual({ outcome: "waiting" });
    const schedule = await scheduler.send(new GetScheduleCommand({ GroupName: DEADLINE_GROUP, Name: `approval-${RELEASE}` }));
    expect(JSON.parse(schedule.Target?.Input ?? "{}")).toEqual({ kind: "approval-deadline", deploymentId: RELEASE });
    expect(schedule.ScheduleExpression).toMatch(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
    const notice = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    const ports = notifierPorts();
    const entry = automationEntry(notice);
    const message = messageOf({
      version: "0",
      id: "0c6a4e2b-9f1d-4a7e-8b3c-5d2e1f0a9b8c",
      "detail-type": entry.DetailType,
      source: entry.Source,
      account: "123456789012",
      time: new Date().toISOString(),
      region: "eu-central-1",
      resources: [],
      detail: JSON.parse(entry.Detail),
    });
    await deliver(message, ports, stageSettings("prod", {}).notifications);
    const posted = slack.calls("chat.postMessage").at(-1)?.body as {
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    const buttons = posted.blocks.flatMap((b) => b.elements ?? []).filter((e) => e.action_id?.startsWith("hoo:"));
    return Object.fromEntries(buttons.map((b) => [b.action_id.slice(4), b.value])) as Record<"approve" | "reject", string>;
  }

  const pressing = (action: "approve" | "reject", ticket: string, user = { id: "U0ALICE001", username: "alice" }) =>
    sign(formBody(pressPayload({ user }, { action_id: `hoo:${action}`, value: ticket })), nowSeconds());

  it("Approve reports Succeeded for the waiting execution once; Reject after it and the deadline report nothing", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: "exec-42" });
    const ticket = await opened();
    expect(await post(pressing("approve", ticket.approve))).toBe(200);
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: RELEASE, lifecycleEventHookExecutionId: "exec-42", status: "Succeeded" },
    ]);
    const settled = JSON.parse(events.commandCalls(PutEventsCommand).at(-1)?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    expect(settled.title).toBe(`Release ${RELEASE} approved by alice`);

    expect(await post(pressing("reject", ticket.reject))).toBe(200);
    expect(await handle({ kind: "approval-deadline", deploymentId: RELEASE })).toEqual({
      // The endpoint's TIME_ZONE is Europe/Berlin: CET or CEST, with UTC beside.
      outcome: expect.stringMatching(/^nothing to do: already approved by alice at \d\d:\d\d CES?T \(\d\d:\d\d UTC\)$/),
    });
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(1);
    expect((await dynamoChatOpsAudit(TABLE, "prod", dynamo.client).trail(10)).map((e) => e.outcome)).toEqual([
      expect.stringMatching(/^not done: already approved by alice at/),
      "approved: CodeDeploy was told Succeeded",
    ]);
  });

  it("Approve is refused for someone not named in chatops.allow.approve, and the gate stays open", async () => {
    const ticket = await opened();
    expect(await post(pressing("approve", ticket.approve, { id: "U0MALLORY1", username: "mallory" }))).toBe(200);
    expect(told).toEqual(["Not done: you are not allowed to approve or reject releases on prod."]);
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
  });
});
