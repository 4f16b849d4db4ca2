import { Logger } from "@aws-lambda-powertools/logger";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import { readEcsHookEnvironment, readHookEnvironment, readWatchEnvironment } from "@hands-off-ops/core/canary/environment";
import type { DeliveryReport } from "@hands-off-ops/core/notify/deliver";
import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import type { Email } from "@hands-off-ops/core/notify/render/email";
import { AUTOMATION_DETAIL_TYPE } from "@hands-off-ops/core/notify/sources/automation";
import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { readScheduleEnvironment } from "@hands-off-ops/core/schedule/environment";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import type { Capacity } from "@hands-off-ops/core/schedule/plan";
import type { Context } from "aws-lambda";
import type { StageSettings } from "../../../../../stacks/config";
import {
  ecsHookVariables,
  hookVariables,
  notifyVariables,
  rollbackVariables,
  scheduleVariables,
  watchVariables,
} from "../../../../../stacks/lambda-environment";
import { APP_NAME, releaseGroupName, TEST_LISTENER_PORT } from "../../../../../stacks/names";
import { type AlarmChange, alarmChangesOf } from "./alarm-history";
import { recordingClients } from "./answers/clients";
import { seededTable, type Table } from "./answers/dynamodb";
import { listenerAnswers } from "./answers/listeners";
import type { SlackPosted, SlackWorld } from "./answers/slack";
import type { World } from "./answers/world";
import { Recorder } from "./recorder";
import { REPLAY_ACCOUNT, type Receiver, receiversOf, ruleNotes, workerCapacities, workerStandIns } from "./route";
import { type Scenario, withOverrides } from "./scenario";
import { slackAsText } from "./slack-text";

export type { SlackPosted };

/**
 * One event through the stage's real handlers (functions/*.ts, built by their own factories: their adapters,
 * decisions, renderers and environment parsing), with recording SDK clients in place of AWS and a recording
 * fetch in place of Slack (answers/). What an automation function tells on-call goes through the notifier too,
 * so the replay ends with the Slack message and e-mail on-call would read.
 */

export interface ReplayInput {
  stage: string;
  settings: StageSettings;
  event: unknown;
  scenario: Scenario;
  hook?: string;
  /** What outlives one event: the state table (incidents, threads, claims, idempotency records) and Slack's count. */
  shared?: ReplayShared;
  /** When EventBridge delivers the event (a timeline's step): the functions run then, whatever the event's own time. */
  deliveredAt?: Date;
  /** The alarms' changes raised by then (a timeline's), which DescribeAlarms answers from; default: the event's own. */
  alarmHistory?: AlarmChange[];
}

/** One story's memory and what it delivered, shared by the events of a timeline. */
export interface ReplayShared {
  /** The state table, in memory: every function's adapters read and write it. */
  table: Table;
  slack: SlackWorld;
  delivered: Delivered[];
}

/** What one notifier run delivered: its report (opened or joined an incident, why it e-mailed) and the posts. */
export interface Delivered {
  report: DeliveryReport | { ignored: string } | { threw: string };
  slack: SlackPosted[];
  emails: Email[];
}

/** A story's memory: the state table as the scenario has it (its rollbacks, its sleep record), Slack's count at 0. */
export const sharedMemory = (scenario: Scenario, stage: string): ReplayShared => ({
  table: seededTable(scenario, stage),
  slack: { messages: 0 },
  delivered: [],
});

/** What the stand-in names look like: the real ones are known only once CloudFormation has created the resources. */
const ACCOUNT = REPLAY_ACCOUNT;
/** What the notifier logs of a fact it could not read, as its handler's logger does (shown with --logs). */
const notifyLogger = new Logger({ serviceName: "notify" });
const notifyWarn = (message: string, details: Record<string, unknown>) => notifyLogger.warn(message, details);

interface Run {
  fn: Receiver["fn"];
  title: string;
  result: unknown;
  calls: string[];
  notes: string[];
  slack: SlackPosted[];
  emails: Email[];
  /** The automation's notices it put on the bus, as EventBridge delivers them to the notifier. */
  notices: { title: string; event: unknown }[];
}

export async function replay(original: ReplayInput): Promise<string[]> {
  const input = {
    ...original,
    shared: original.shared ?? sharedMemory(original.scenario, original.stage),
    event: withOverrides(original.event, original.scenario.eventOverrides, {
      stage: original.stage,
      app: APP_NAME,
      region: original.settings.region,
    }),
  };
  const receivers = receiversOf(input.event, input.settings, input.hook);
  const now = new Date(input.scenario.now ?? input.deliveredAt ?? timeOf(input.event) ?? Date.now());
  const lines = [
    `Replay on ${input.stage} (${input.settings.kind}, automation ${input.settings.automationMode}) at ${now.toISOString()}`,
    `Scenario: ${input.scenario.description}`,
    `Received by: ${receivers.map((r) => (r.fn === "canary-hook" ? `canary-hook (${r.hook})` : r.fn)).join(", ")}`,
    ...Object.keys(input.scenario.eventOverrides).map((path) => `Event changed by the scenario: ${path}`),
    ...ruleNotes(
      input.event,
      input.stage,
      APP_NAME,
      input.settings.region,
      ACCOUNT,
      workerStandIns(input.settings, APP_NAME).map((w) => w.ecsService),
    ).map((note) => `Note: ${note}`),
  ];
  for (const receiver of receivers) {
    const run = await runOne(receiver, input, now);
    lines.push("", ...printRun(run));
    // What an automation function sends on-call arrives at the notifier as an EventBridge event.
    for (const notice of run.notices) {
      const notified = await runNotify(input, notice.event, now);
      lines.push("", ...printRun({ ...notified, title: `notify ← ${run.fn}'s notice "${notice.title}"` }));
    }
  }
  return lines;
}

function runOne(receiver: Receiver, input: Required<Pick<ReplayInput, "shared">> & ReplayInput, now: Date): Promise<Run> {
  switch (receiver.fn) {
    case "notify":
      return runNotify(input, input.event, now);
    case "rollback":
      return runRollback(input, now);
    case "canary-hook":
      return runHook(input, receiver.hook, now);
    case "ecs-hook":
      return runEcsHook(input, now);
    case "canary-watch":
      return runWatch(input, now);
    case "schedule":
      return runSchedule(input, now);
    case "release":
      return runRelease(input, now);
  }
}

const names = (input: ReplayInput) => {
  const prefix = `${input.stage}-${APP_NAME}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${input.settings.region}:${ACCOUNT}:${resource}`;
  return {
    app: { stage: input.stage, name: APP_NAME },
    prefix,
    arn,
    tableName: `${prefix}-state`,
    cluster: `${prefix}-cluster`,
    service: `${prefix}-service`,
    /** The stage's workers (its services that are not public), each ECS service named <stage>-<app>-worker-<name>. */
    workers: workerStandIns(input.settings, APP_NAME),
    group: releaseGroupName({ stage: input.stage, name: APP_NAME }),
  };
};

function context(name: string, region: string, timeoutSeconds: number): Context {
  return {
    functionName: name,
    awsRequestId: "replay",
    invokedFunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => timeoutSeconds * 1000,
  } as Context;
}

/** The stage's default capacity: its settings' minimum tasks. */
const stageCapacity = (input: ReplayInput): Capacity =>
  input.scenario.service.capacity ?? {
    desiredCount: input.settings.service.minTasks,
    minCapacity: input.settings.service.minTasks,
    maxCapacity: input.settings.service.maxTasks,
  };

/** One function's run: its recorder, the world its answers answer from, and the recording clients it is given. */
function session(input: ReplayInput & { shared: ReplayShared }, now: Date, options: { capacity?: Capacity; report?: boolean } = {}) {
  const n = names(input);
  const recorder = new Recorder();
  const world: World = {
    scenario: input.scenario,
    stage: input.stage,
    region: input.settings.region,
    account: ACCOUNT,
    cluster: n.cluster,
    service: n.service,
    now: () => now,
    table: input.shared.table,
    alarms: input.alarmHistory ?? alarmChangesOf([input.event]),
    capacity: options.capacity ?? stageCapacity(input),
    workers: workerCapacities(input.settings, APP_NAME, input.scenario.asleep !== null),
    sent: { events: [], emails: [] },
  };
  const slack: SlackPosted[] = [];
  const clients: Clients = recordingClients(world, recorder, {
    slack: { world: input.shared.slack, posted: slack, mode: input.settings.notifications.slack.mode },
    report: options.report,
  });
  return { n, recorder, world, slack, clients };
}

/**
 * What Lambda records of an invocation: the handler's result, or the error it threw (which makes Lambda retry the
 * event and finally put it in the dead-letter queue), with the calls it made before.
 */
async function invoked<T>(call: () => Promise<T>): Promise<T | { threw: string }> {
  try {
    return await call();
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A function's run: what it returned, the calls it made, what it sent on-call and the notices it put on the bus. */
function finished(
  fn: Receiver["fn"],
  title: string,
  result: unknown,
  { recorder, world }: { recorder: Recorder; world: World },
  extra: Partial<Run> = {},
): Run {
  const notices = world.sent.events
    .filter((entry) => entry.DetailType === AUTOMATION_DETAIL_TYPE)
    .map((entry) => ({
      title: (JSON.parse(entry.Detail ?? "{}") as { title?: string }).title ?? "",
      event: busEvent(entry, world.region, world.now()),
    }));
  return { fn, title, result, calls: recorder.lines(), notes: [], slack: [], emails: [], notices, ...extra };
}

async function runNotify(input: ReplayInput & { shared: ReplayShared }, event: unknown, now: Date): Promise<Run> {
  const n = names(input);
  const env = readNotifyEnvironment({
    AWS_REGION: input.settings.region,
    ...notifyVariables(n.app, input.settings, {
      topicArn: n.arn("sns", `${n.prefix}-on-call`),
      tableName: n.tableName,
      slackSecretId: n.arn("secretsmanager", `secret:${n.prefix}-slack`),
      dashboardName: n.prefix,
      clusterName: n.cluster,
      serviceName: n.service,
      logGroupName: `/ecs/${n.prefix}`,
      workers: n.workers,
    }),
  });
  // CodeDeploy's report of a release is not in the scenario: GetDeployment has no answer, and the message says so.
  const run = session(input, now, { report: false });
  const { createNotifyHandler } = await import("../../../../../functions/notify");
  const { awsDependencies } = await import("@hands-off-ops/core/notify/aws-dependencies");
  const result = await invoked(() =>
    createNotifyHandler(env, awsDependencies(env, notifyWarn, run.clients))(
      event,
      context(`${n.prefix}-notify`, input.settings.region, 120),
    ),
  );
  const emails = run.world.sent.emails;
  input.shared.delivered.push({ report: result as Delivered["report"], slack: run.slack, emails });
  const mode = input.settings.notifications.slack.mode;
  const notes =
    mode === "off"
      ? []
      : [`Slack (${mode}) is taken as configured: the stage's Slack secret holds a ${mode === "web-api" ? "bot token" : "webhook URL"}.`];
  return finished("notify", "notify", result, run, { notes, slack: run.slack, emails });
}

/** The rollback or schedule function asked directly (a Slack button's request), with the replay's world; its run as printed. */
export async function replayRequest(
  fn: "rollback" | "schedule",
  input: ReplayInput,
  now: Date,
): Promise<{ result: unknown; lines: string[] }> {
  const withShared = { ...input, shared: input.shared ?? sharedMemory(input.scenario, input.stage) };
  const run = fn === "rollback" ? await runRollback(withShared, now) : await runSchedule(withShared, now);
  return {
    result: run.result,
    lines: [...printRun(run), ...run.notices.map((notice) => `Notice to the notifier: ${notice.title}`)],
  };
}

async function runRollback(input: ReplayInput & { shared: ReplayShared }, now: Date): Promise<Run> {
  const n = names(input);
  const env = readRollbackEnvironment({
    ...rollbackVariables(n.app, input.settings, {
      tableName: n.tableName,
      releases:
        input.settings.release.controller === "ecs"
          ? { controller: "ecs", serviceArn: n.arn("ecs", `service/${n.cluster}/${n.service}`) }
          : { controller: "codedeploy", applicationName: n.group, deploymentGroupName: n.group, containerName: "app" },
      workers: n.workers,
    }),
    // Lambda sets it in the function's environment; the stack does not.
    AWS_REGION: input.settings.region,
  });
  const run = session(input, now);
  const { createRollbackHandler } = await import("../../../../../functions/rollback");
  const { awsPorts } = await import("@hands-off-ops/core/rollback/aws-ports");
  const { ports, once } = awsPorts(env, run.clients);
  once.registerContext(context(`${n.prefix}-rollback`, input.settings.region, 60));
  const result = await invoked(() => createRollbackHandler(env, ports, once, () => now)(input.event));
  return finished("rollback", "rollback", result, run);
}

/** The stage's two listeners as the hooks reach them (stacks/Service.ts), with the replay's names. */
function hookUrls(input: ReplayInput) {
  const n = names(input);
  const testUrl = `http://${n.prefix}-alb.${input.settings.region}.elb.amazonaws.com:${TEST_LISTENER_PORT}`;
  const productionUrl = input.settings.domain
    ? `https://${input.settings.domain.name}`
    : `http://${n.prefix}-alb.${input.settings.region}.elb.amazonaws.com`;
  return { testUrl, productionUrl };
}

/** Warm-up retries wait seconds between attempts in AWS; the replay does not need to. */
const replayCanary = (input: ReplayInput) => ({
  ...input.settings.canary,
  warmup: { ...input.settings.canary.warmup, minDelayMs: 10 },
});

/** Waits until the deadline's signal: in a replay the checks always finish first. */
const untilAborted = (_ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));

async function runHook(input: ReplayInput & { shared: ReplayShared }, hook: EcsHook, now: Date): Promise<Run> {
  const n = names(input);
  const { testUrl, productionUrl } = hookUrls(input);
  const variables = hookVariables(n.app, input.settings, hook, { testUrl, productionUrl });
  const settings = replayCanary(input);
  const env = readHookEnvironment({ ...variables, CANARY_SETTINGS: JSON.stringify(settings) });
  const run = session(input, now);
  const { createHookHandler } = await import("../../../../../functions/canary-hook");
  const { awsPorts } = await import("@hands-off-ops/core/canary/aws-hook-ports");
  const aws = awsPorts(run.clients);
  // The release's two versions answer from the scenario (answers/listeners.ts); the gate is opened by the Slack
  // actions function, from the approval request the hook puts on the bus (chatops/gate.ts).
  const ports = { ...aws.ports, http: listenerAnswers(run.recorder, input.scenario, testUrl), sleep: untilAborted };
  const result = await invoked(() =>
    createHookHandler(
      env,
      ports,
      aws.notices,
      aws.approvals,
    )(input.event, context(`CodeDeployHook_${input.stage}-${hook}`, input.settings.region, 300)),
  );
  const notes = [
    `Warm-up retries ${settings.warmup.retries}, ${settings.warmup.minDelayMs} ms apart in the replay (${input.settings.canary.warmup.minDelayMs} ms in AWS).`,
  ];
  return finished("canary-hook", `canary-hook (${hook})`, result, run, { notes });
}

async function runEcsHook(input: ReplayInput & { shared: ReplayShared }, now: Date): Promise<Run> {
  const n = names(input);
  const urls = hookUrls(input);
  const settings = replayCanary(input);
  const env = readEcsHookEnvironment({ ...ecsHookVariables(n.app, input.settings, urls), CANARY_SETTINGS: JSON.stringify(settings) });
  const run = session(input, now);
  const { createEcsHookHandler } = await import("../../../../../functions/ecs-hook");
  const { awsPorts } = await import("@hands-off-ops/core/canary/aws-ecs-hook-ports");
  const aws = awsPorts(run.clients);
  const ports = {
    ...aws.ports,
    http: listenerAnswers(run.recorder, input.scenario, urls.testUrl),
    sleep: untilAborted,
    now: () => now.getTime(),
  };
  const result = await invoked(() =>
    createEcsHookHandler(env, ports, aws.notices)(input.event, context(`${n.prefix}-ecs-hook`, input.settings.region, 120)),
  );
  const notes = [
    `Warm-up retries ${settings.warmup.retries}, ${settings.warmup.minDelayMs} ms apart in the replay (${input.settings.canary.warmup.minDelayMs} ms in AWS).`,
    "ECS reads the hook's answer (the result above): SUCCEEDED goes on, FAILED rolls back, IN_PROGRESS calls again with hookDetails.",
  ];
  return finished("ecs-hook", "ecs-hook (ECS lifecycle hook)", result, run, { notes });
}

async function runWatch(input: ReplayInput & { shared: ReplayShared }, now: Date): Promise<Run> {
  const n = names(input);
  const env = readWatchEnvironment(
    watchVariables(n.app, input.settings, {
      targetId: `${n.cluster}:${n.service}`,
      targetGroups: `targetgroup/${input.stage}-blue/0123456789abcdef,targetgroup/${input.stage}-green/fedcba9876543210`,
      loadBalancer: `app/${n.prefix}-alb/0123456789abcdef`,
      scheduleGroup: `${n.prefix}-canary-watch`,
      schedulerRoleArn: n.arn("iam", `role/${n.prefix}-canary-watch-scheduler`).replace(`:${input.settings.region}:`, "::"),
      ...(input.settings.release.controller === "ecs"
        ? {
            ecs: {
              serviceArn: n.arn("ecs", `service/${n.cluster}/${n.service}`),
              listenerRules: ["production", "test"]
                .map((rule) => n.arn("elasticloadbalancing", `listener-rule/app/${n.prefix}-alb/0123456789abcdef/${rule}/0123456789abcdef`))
                .join(","),
            },
          }
        : {}),
    }),
  );
  let clock = now.getTime();
  const run = session(input, now);
  // A virtual minute: each poll's wait moves the clock instead of the replay waiting.
  run.world.now = () => new Date(clock);
  const { createWatchHandler } = await import("../../../../../functions/canary-watch");
  const { awsPorts } = await import("@hands-off-ops/core/canary/aws-watch-ports");
  const ports = {
    ...awsPorts(env, run.clients),
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => new Date(clock),
  };
  const result = await invoked(() =>
    createWatchHandler(env, ports)(input.event, context(`${n.prefix}-canary-watch`, input.settings.region, 70)),
  );
  return finished("canary-watch", "canary-watch", result, run);
}

async function runSchedule(input: ReplayInput & { shared: ReplayShared }, now: Date): Promise<Run> {
  const n = names(input);
  // A stage without a database (database.enabled false) has none to stop or start.
  const databaseInstance = input.settings.database.enabled ? (input.scenario.resources.databaseInstance ?? `${n.prefix}-database`) : null;
  const env = readScheduleEnvironment(
    scheduleVariables(n.app, input.settings, {
      closedDays: JSON.stringify(closedDays(input.settings.schedule, now.getUTCFullYear(), 2)),
      tableName: n.tableName,
      cluster: n.cluster,
      service: n.service,
      workers: n.workers.map(({ name, ecsService, sizing }) => ({ name, service: ecsService, sizing })),
      databaseInstance,
      scheduleGroup: `${n.prefix}-schedule`,
      schedulerRoleArn: n.arn("iam", `role/${n.prefix}-schedule-scheduler`).replace(`:${input.settings.region}:`, "::"),
      deadLetterQueueArn: n.arn("sqs", `${n.prefix}-dead-letters`),
    }),
  );
  const run = session(input, now, { capacity: input.scenario.service.capacity ?? env.config.defaults.service });
  const { createScheduleHandler } = await import("../../../../../functions/schedule");
  const { awsPorts } = await import("@hands-off-ops/core/schedule/aws-ports");
  const { ports, once } = awsPorts(env, n.arn("lambda", `function:${n.prefix}-schedule`), run.clients);
  once.registerContext(context(`${n.prefix}-schedule`, input.settings.region, 120));
  const result = await invoked(() => createScheduleHandler(env, ports, once, () => now)(input.event));
  return finished("schedule", "schedule", result, run);
}

async function runRelease(input: ReplayInput & { shared: ReplayShared }, now: Date): Promise<Run> {
  const run = session(input, now);
  const { awsReleases, createReleaseHandlers } = await import("@hands-off-ops/core/release/provider");
  const releases = awsReleases(run.clients);
  const { onEvent } = createReleaseHandlers(() => releases);
  const result = await invoked(() => onEvent(input.event as Parameters<typeof onEvent>[0]));
  return finished("release", "release (Custom::Release onEvent)", result, run);
}

function printRun(run: Run): string[] {
  const lines = [`── ${run.title} ${"─".repeat(Math.max(3, 68 - run.title.length))}`, `Result: ${JSON.stringify(run.result, null, 2)}`];
  lines.push("AWS calls it would make:", ...(run.calls.length ? run.calls.map((call) => `  ${call}`) : ["  none"]));
  for (const note of run.notes) lines.push(`Note: ${note}`);
  for (const posted of run.slack) {
    lines.push("", `Slack ${posted.updated ? "update" : "message"} to ${posted.channel}${posted.threadTs ? " (thread reply)" : ""}:`);
    lines.push(...slackAsText(posted.payload).map((line) => `  │ ${line}`));
  }
  for (const email of run.emails) {
    lines.push("", `E-mail: ${email.subject}`, ...email.body.split("\n").map((line) => `  │ ${line}`));
  }
  return lines;
}

function timeOf(event: unknown): string | undefined {
  const time = (event as { time?: unknown } | null)?.time;
  return typeof time === "string" && !Number.isNaN(Date.parse(time)) ? time : undefined;
}

/** A notice as EventBridge delivers it to the notifier's rule: the entry in an envelope. */
function busEvent(entry: { Source?: string; DetailType?: string; Detail?: string }, region: string, at: Date) {
  return {
    version: "0",
    id: `replay-${Math.abs(hash(entry.Detail ?? "")).toString(16)}`,
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: ACCOUNT,
    time: at.toISOString(),
    region,
    resources: [],
    detail: JSON.parse(entry.Detail ?? "{}"),
  };
}

/** A stable event id per notice, so that a replay prints the same every time. */
function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(31, h) + (char.codePointAt(0) ?? 0)) | 0;
  return h;
}
