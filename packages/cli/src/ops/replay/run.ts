import type { NoticePort } from "@hands-off-ops/core/aws/notices";
import { readEcsHookEnvironment, readHookEnvironment, readWatchEnvironment } from "@hands-off-ops/core/canary/environment";
import { APPROVAL_DETAIL_TYPE, type ApprovalRequest } from "@hands-off-ops/core/chatops/gate";
import type { DeliveryReport } from "@hands-off-ops/core/notify/deliver";
import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import type { Email } from "@hands-off-ops/core/notify/render/email";
import { type AutomationNotice, automationEntry } from "@hands-off-ops/core/notify/sources/automation";
import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { readScheduleEnvironment } from "@hands-off-ops/core/schedule/environment";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
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
import {
  type AlarmChange,
  alarmChangesOf,
  alarmStateRecorder,
  buttonRecorder,
  deploymentReportRecorder,
  emailRecorder,
  graphRecorder,
  hookReporter,
  httpRecorder,
  type LedgerMemory,
  ledgerMemory,
  type NotifyMemory,
  noticeRecorder,
  notifyMemory,
  notifyStoreRecorder,
  onceRecorder,
  releaseRecorder,
  rollbackDeployments,
  rollbackLedger,
  type SlackPosted,
  scheduleRecorders,
  serviceCountsRecorder,
  serviceDeploymentsRecorder,
  slackRecorder,
  watchRecorders,
} from "./ports";
import { Recorder } from "./recorder";
import { REPLAY_ACCOUNT, type Receiver, receiversOf, ruleNotes } from "./route";
import { type Scenario, withOverrides } from "./scenario";
import { slackAsText } from "./slack-text";

/**
 * One event through the stage's real handlers (functions/*.ts, their
 * decisions, renderers and environment parsing), with recorders in place of
 * the AWS adapters. What an automation function tells on-call goes through
 * the notifier too, so the replay ends with the Slack message and e-mail
 * on-call would read.
 */

export interface ReplayInput {
  stage: string;
  settings: StageSettings;
  event: unknown;
  scenario: Scenario;
  hook?: string;
  /** What outlives one event: the state table's incidents and threads, the ledger's claims and rollbacks. */
  shared?: ReplayShared;
  /** When EventBridge delivers the event (a timeline's step): the functions run then, whatever the event's own time. */
  deliveredAt?: Date;
  /** The alarms' changes raised by then (a timeline's), which DescribeAlarms answers from; default: the event's own. */
  alarmHistory?: AlarmChange[];
}

/** One story's memory and what it delivered, shared by the events of a timeline. */
export interface ReplayShared {
  notify: NotifyMemory;
  /** Each function's completed idempotency records. */
  once: Record<"notify" | "rollback" | "schedule", Map<string, object>>;
  ledger: LedgerMemory;
  delivered: Delivered[];
}

/** What one notifier run delivered: its report (opened or joined an incident, why it e-mailed) and the posts. */
export interface Delivered {
  report: DeliveryReport | { ignored: string };
  slack: SlackPosted[];
  emails: Email[];
}

export const sharedMemory = (scenario: Scenario): ReplayShared => ({
  notify: notifyMemory(),
  once: { notify: new Map(), rollback: new Map(), schedule: new Map() },
  ledger: ledgerMemory(scenario),
  delivered: [],
});

/** What the stand-in names look like: the real ones are known only once CloudFormation has created the resources. */
const ACCOUNT = REPLAY_ACCOUNT;

interface Run {
  fn: Receiver["fn"];
  title: string;
  result: unknown;
  calls: string[];
  notes: string[];
  slack: SlackPosted[];
  emails: Email[];
  notices: AutomationNotice[];
}

export async function replay(original: ReplayInput): Promise<string[]> {
  const input = {
    ...original,
    shared: original.shared ?? sharedMemory(original.scenario),
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
    ...ruleNotes(input.event, input.stage, APP_NAME, input.settings.region, ACCOUNT).map((note) => `Note: ${note}`),
  ];
  for (const receiver of receivers) {
    const run = await runOne(receiver, input, now);
    lines.push("", ...printRun(run));
    // What an automation function sends on-call arrives at the notifier as an EventBridge event.
    for (const notice of run.notices) {
      const notified = await runNotify(input, automationEvent(notice, input.settings.region, now));
      lines.push("", ...printRun({ ...notified, title: `notify ← ${run.fn}'s notice "${notice.title}"` }));
    }
  }
  return lines;
}

function runOne(receiver: Receiver, input: ReplayInput, now: Date): Promise<Run> {
  switch (receiver.fn) {
    case "notify":
      return runNotify(input, input.event);
    case "rollback":
      return runRollback(input, now);
    case "canary-hook":
      return runHook(input, receiver.hook);
    case "ecs-hook":
      return runEcsHook(input, now);
    case "canary-watch":
      return runWatch(input, now);
    case "schedule":
      return runSchedule(input, now);
    case "release":
      return runRelease(input);
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

/** A function's run: what it returned, the calls it made, and what it sent on-call. */
function finished(fn: Receiver["fn"], title: string, result: unknown, recorder: Recorder, extra: Partial<Run> = {}): Run {
  return { fn, title, result, calls: recorder.lines(), notes: [], slack: [], emails: [], notices: [], ...extra };
}

async function runNotify(input: ReplayInput, event: unknown): Promise<Run> {
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
    }),
  });
  const recorder = new Recorder();
  const slack: SlackPosted[] = [];
  const emails: Email[] = [];
  const mode = input.settings.notifications.slack.mode;
  const ports = {
    slack:
      mode === "off" ? null : slackRecorder(recorder, mode === "web-api", slack, (input.shared ?? sharedMemory(input.scenario)).notify),
    email: emailRecorder(recorder, env.topicArn, emails),
    graphs: graphRecorder(recorder),
    store: notifyStoreRecorder(recorder, (input.shared ?? sharedMemory(input.scenario)).notify),
    once: onceRecorder(recorder, input.shared?.once.notify),
    // As deployed: buttons only where the stage is connected to Slack (the notifier's environment says how long they last).
    buttons: env.buttonHours ? buttonRecorder(recorder, env.buttonHours, (input.shared ?? sharedMemory(input.scenario)).notify) : null,
  };
  const { createNotifyHandler } = await import("../../../../../functions/notify");
  const handle = createNotifyHandler(env, {
    registerContext: () => {},
    ports: async () => ports,
    deploymentReports: deploymentReportRecorder(recorder),
    serviceCounts: serviceCountsRecorder(recorder, input.scenario, input.settings.service.minTasks),
    serviceDeployments: serviceDeploymentsRecorder(recorder, input.scenario, n.service),
    alarms: alarmStateRecorder(recorder, input.alarmHistory ?? alarmChangesOf([input.event])),
  });
  const result = await handle(event, context(`${n.prefix}-notify`, input.settings.region, 120));
  input.shared?.delivered.push({ report: result as Delivered["report"], slack, emails });
  const notes =
    mode === "off"
      ? []
      : [`Slack (${mode}) is taken as configured: the stage's Slack secret holds a ${mode === "web-api" ? "bot token" : "webhook URL"}.`];
  return finished("notify", "notify", result, recorder, { notes, slack, emails });
}

/** The rollback function asked directly (a Slack button's request), with the replay's world; its run as printed. */
export async function replayRollbackRequest(input: ReplayInput, now: Date): Promise<{ result: unknown; lines: string[] }> {
  const run = await runRollback(input, now);
  return {
    result: run.result,
    lines: [...printRun(run), ...run.notices.map((notice) => `Notice to the notifier: ${notice.title}`)],
  };
}

async function runRollback(input: ReplayInput, now: Date): Promise<Run> {
  const n = names(input);
  const env = readRollbackEnvironment({
    ...rollbackVariables(n.app, input.settings, {
      tableName: n.tableName,
      releases:
        input.settings.release.controller === "ecs"
          ? { controller: "ecs", serviceArn: n.arn("ecs", `service/${n.cluster}/${n.service}`) }
          : { controller: "codedeploy", applicationName: n.group, deploymentGroupName: n.group, containerName: "app" },
    }),
    // Lambda sets it in the function's environment; the stack does not.
    AWS_REGION: input.settings.region,
  });
  const recorder = new Recorder();
  const notices: AutomationNotice[] = [];
  const ports = {
    alarms: alarmStateRecorder(recorder, input.alarmHistory ?? alarmChangesOf([input.event])),
    deployments: rollbackDeployments(recorder, input.scenario, env.target),
    ledger: rollbackLedger(recorder, (input.shared ?? sharedMemory(input.scenario)).ledger),
    notify: noticeRecorder(recorder, notices),
  };
  const { createRollbackHandler } = await import("../../../../../functions/rollback");
  const result = await createRollbackHandler(env, ports, onceRecorder(recorder, input.shared?.once.rollback), () => now)(input.event);
  return finished("rollback", "rollback", result, recorder, { notices });
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

async function runHook(input: ReplayInput, hook: EcsHook): Promise<Run> {
  const n = names(input);
  const { testUrl, productionUrl } = hookUrls(input);
  const variables = hookVariables(n.app, input.settings, hook, { testUrl, productionUrl });
  const settings = replayCanary(input);
  const env = readHookEnvironment({ ...variables, CANARY_SETTINGS: JSON.stringify(settings) });
  const recorder = new Recorder();
  const notices: AutomationNotice[] = [];
  const send = noticeRecorder(recorder, notices);
  const notifier: NoticePort = { send };
  const ports = {
    http: httpRecorder(recorder, input.scenario, testUrl),
    report: hookReporter(recorder),
    // The deadline never comes in a replay: the checks always finish first.
    sleep: (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve())),
  };
  const { createHookHandler } = await import("../../../../../functions/canary-hook");
  const approvals = {
    // The gate itself is opened by the Slack actions function, from this request (chatops/gate.ts).
    ask: async (request: ApprovalRequest) =>
      recorder.aws(
        "EventBridge",
        "PutEvents",
        `${APPROVAL_DETAIL_TYPE}: release ${request.deploymentId} waits at ${request.hook} up to ${request.deadlineMinutes} min (then ${request.onDeadline})`,
      ),
  };
  const result = await createHookHandler(
    env,
    ports,
    notifier,
    approvals,
  )(input.event, context(`CodeDeployHook_${input.stage}-${hook}`, input.settings.region, 300));
  const notes = [
    `Warm-up retries ${settings.warmup.retries}, ${settings.warmup.minDelayMs} ms apart in the replay (${input.settings.canary.warmup.minDelayMs} ms in AWS).`,
  ];
  return finished("canary-hook", `canary-hook (${hook})`, result, recorder, { notes, notices });
}

async function runEcsHook(input: ReplayInput, now: Date): Promise<Run> {
  const n = names(input);
  const urls = hookUrls(input);
  const settings = replayCanary(input);
  const env = readEcsHookEnvironment({ ...ecsHookVariables(n.app, input.settings, urls), CANARY_SETTINGS: JSON.stringify(settings) });
  const recorder = new Recorder();
  const notices: AutomationNotice[] = [];
  const ports = {
    http: httpRecorder(recorder, input.scenario, urls.testUrl),
    isFirstDeployment: serviceDeploymentsRecorder(recorder, input.scenario, n.service).isFirstDeployment,
    // The slice's end never comes in a replay: the checks always finish first.
    sleep: (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve())),
    now: () => now.getTime(),
  };
  const { createEcsHookHandler } = await import("../../../../../functions/ecs-hook");
  const result = await createEcsHookHandler(env, ports, { send: noticeRecorder(recorder, notices) })(
    input.event,
    context(`${n.prefix}-ecs-hook`, input.settings.region, 120),
  );
  const notes = [
    `Warm-up retries ${settings.warmup.retries}, ${settings.warmup.minDelayMs} ms apart in the replay (${input.settings.canary.warmup.minDelayMs} ms in AWS).`,
    "ECS reads the hook's answer (the result above): SUCCEEDED goes on, FAILED rolls back, IN_PROGRESS calls again with hookDetails.",
  ];
  return finished("ecs-hook", "ecs-hook (ECS lifecycle hook)", result, recorder, { notes, notices });
}

async function runWatch(input: ReplayInput, now: Date): Promise<Run> {
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
  const recorder = new Recorder();
  const notices: AutomationNotice[] = [];
  let clock = now.getTime();
  const ports = {
    ...watchRecorders(recorder, input.scenario, input.settings.release.controller),
    serviceDeployments: serviceDeploymentsRecorder(recorder, input.scenario, n.service),
    notify: noticeRecorder(recorder, notices),
    // A virtual minute: each poll's wait moves the clock instead of the replay waiting.
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => new Date(clock),
  };
  const { createWatchHandler } = await import("../../../../../functions/canary-watch");
  const result = await createWatchHandler(env, ports)(input.event, context(`${n.prefix}-canary-watch`, input.settings.region, 70));
  return finished("canary-watch", "canary-watch", result, recorder, { notices });
}

async function runSchedule(input: ReplayInput, now: Date): Promise<Run> {
  const n = names(input);
  const databaseInstance = input.scenario.resources.databaseInstance ?? `${n.prefix}-database`;
  const env = readScheduleEnvironment(
    scheduleVariables(n.app, input.settings, {
      closedDays: JSON.stringify(closedDays(input.settings.schedule, now.getUTCFullYear(), 2)),
      tableName: n.tableName,
      cluster: n.cluster,
      service: n.service,
      databaseInstance,
      scheduleGroup: `${n.prefix}-schedule`,
      schedulerRoleArn: n.arn("iam", `role/${n.prefix}-schedule-scheduler`).replace(`:${input.settings.region}:`, "::"),
      deadLetterQueueArn: n.arn("sqs", `${n.prefix}-dead-letters`),
    }),
  );
  const recorder = new Recorder();
  const notices: AutomationNotice[] = [];
  const ports = {
    ...scheduleRecorders(recorder, input.scenario, env.config.defaults, `${n.cluster}/${n.service}`, databaseInstance, env.canaryName),
    notify: noticeRecorder(recorder, notices),
  };
  const { createScheduleHandler } = await import("../../../../../functions/schedule");
  const result = await createScheduleHandler(env, ports, onceRecorder(recorder, input.shared?.once.schedule), () => now)(input.event);
  return finished("schedule", "schedule", result, recorder, { notices });
}

async function runRelease(input: ReplayInput): Promise<Run> {
  const recorder = new Recorder();
  const port = releaseRecorder(recorder, input.scenario);
  const { createReleaseHandlers } = await import("../../../../../functions/release");
  const { onEvent } = createReleaseHandlers(() => port);
  const result = await onEvent(input.event as Parameters<typeof onEvent>[0]);
  return finished("release", "release (Custom::Release onEvent)", result, recorder);
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

function automationEvent(notice: AutomationNotice, region: string, at: Date) {
  const entry = automationEntry(notice);
  return {
    version: "0",
    id: `replay-${Math.abs(hash(entry.Detail)).toString(16)}`,
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: ACCOUNT,
    time: at.toISOString(),
    region,
    resources: [],
    detail: JSON.parse(entry.Detail),
  };
}

/** A stable event id per notice, so that a replay prints the same every time. */
function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(31, h) + (char.codePointAt(0) ?? 0)) | 0;
  return h;
}
