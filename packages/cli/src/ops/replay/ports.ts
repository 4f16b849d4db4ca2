import type { CanaryDeploymentsPort, HookStatus, HttpPort, TargetMetricsPort, WatchSchedulesPort } from "@hands-off-ops/core/canary/ports";
import type { OnceInInvocation } from "@hands-off-ops/core/lazy";
import type { IncidentRecord } from "@hands-off-ops/core/notify/incident";
import type {
  ButtonIssuer,
  DeploymentLink,
  DeploymentReportPort,
  EmailPort,
  GraphPort,
  NotifyStore,
  ServiceCountsPort,
  SlackPort,
  ThreadParent,
} from "@hands-off-ops/core/notify/ports";
import { AlarmDetail } from "@hands-off-ops/core/notify/sources/alarm";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { Envelope } from "@hands-off-ops/core/notify/sources/envelope";
import type { ReleasePort } from "@hands-off-ops/core/release/ports";
import type { ReleaseGroup } from "@hands-off-ops/core/release/release-group";
import type { AlarmStatePort, RollbackDeploymentsPort, RollbackLedgerPort } from "@hands-off-ops/core/rollback/ports";
import { type AlarmNow, stateChangedAt } from "@hands-off-ops/core/rollback/present";
import type { Capacity, SleepRecord } from "@hands-off-ops/core/schedule/plan";
import type { SchedulePorts } from "@hands-off-ops/core/schedule/ports";
import type { Recorder } from "./recorder";
import type { Scenario } from "./scenario";

/**
 * The handlers' ports, answered from the scenario and written down by the
 * recorder as the AWS calls the real adapters (packages/core/src/aws) make.
 * Writes change nothing but the replay's memory, so one replay is one story.
 */

const facts = (deployment: Scenario["deployments"]["inProgress"]) => (deployment ? { ...deployment, at: new Date(deployment.at) } : null);

export function rollbackDeployments(recorder: Recorder, scenario: Scenario, releases: ReleaseGroup): RollbackDeploymentsPort {
  if (releases.controller === "ecs") return ecsRollbackDeployments(recorder, scenario, releases.service);
  const group = releases.deploymentGroupName;
  return {
    async history() {
      recorder.aws("CodeDeploy", "ListDeployments", `${group}: in progress, then succeeded`);
      recorder.aws("CodeDeploy", "BatchGetDeployments", "task definition and times of each");
      const { inProgress, lastSuccess, previousSuccess } = scenario.deployments;
      return { inProgress: facts(inProgress), lastSuccess: facts(lastSuccess), previousSuccess: facts(previousSuccess) };
    },
    async stop(deploymentId) {
      recorder.aws("CodeDeploy", "StopDeployment", `${deploymentId} with autoRollbackEnabled`);
      return "stopped";
    },
    async redeploy(taskDefinitionArn, description) {
      recorder.aws("CodeDeploy", "CreateDeployment", `${group} → ${taskDefinitionArn}, all at once: "${description}"`);
      return "d-REPLAYROLLBACK";
    },
  };
}

/** ECS's own service deployments as the rollback sees them (release.controller "ecs"). */
function ecsRollbackDeployments(recorder: Recorder, scenario: Scenario, service: string): RollbackDeploymentsPort {
  return {
    async history() {
      recorder.aws("ECS", "ListServiceDeployments", `${service}: running, then successful`);
      recorder.aws("ECS", "DescribeServiceRevisions", "the task definition of each");
      const { inProgress, lastSuccess, previousSuccess } = scenario.deployments;
      return { inProgress: facts(inProgress), lastSuccess: facts(lastSuccess), previousSuccess: facts(previousSuccess) };
    },
    async stop(releaseId) {
      recorder.aws("ECS", "StopServiceDeployment", `${releaseId} with stopType ROLLBACK`);
      return "stopped";
    },
    async redeploy(taskDefinitionArn) {
      recorder.aws("ECS", "UpdateService", `${service} → ${taskDefinitionArn} (ECS runs it as a release of its own)`);
      recorder.aws("ECS", "ListServiceDeployments", `${service}: the service deployment the update started`);
      return "REPLAYROLLBACK0000000";
    },
  };
}

/** One state change of an alarm, as its event tells it. */
export interface AlarmChange {
  alarmName: string;
  state: AlarmNow["state"];
  at: Date;
}

/** The alarm state changes among some events (a timeline's, or the one replayed), in no particular order. */
export function alarmChangesOf(events: unknown[]): AlarmChange[] {
  return events.flatMap((event) => {
    const envelope = Envelope.safeParse(event);
    const detail = envelope.success ? AlarmDetail.safeParse(envelope.data.detail) : undefined;
    if (!envelope.success || !detail?.success) return [];
    const { alarmName, state } = detail.data;
    return [{ alarmName, state: state.value as AlarmNow["state"], at: stateChangedAt(state.timestamp, envelope.data.time) }];
  });
}

/** DescribeAlarms answered from the alarm's own history: its latest change the replay knows of by then. */
export function alarmStateRecorder(recorder: Recorder, history: AlarmChange[]): AlarmStatePort {
  return {
    async now(alarmName) {
      const latest = history
        .filter((c) => c.alarmName === alarmName)
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .at(-1);
      recorder.aws(
        "CloudWatch",
        "DescribeAlarms",
        `${alarmName}: ${latest ? `${latest.state} since ${latest.at.toISOString()}` : "not known"}`,
      );
      return latest ? { state: latest.state, since: latest.at } : null;
    },
  };
}

/** The ledger's claims and recorded rollbacks, shared by the events of one replay (cooldown and cap apply across them). */
export interface LedgerMemory {
  claims: Set<string>;
  rollbacks: { badDeploymentId: string; at: Date; dryRun?: boolean }[];
}

export const ledgerMemory = (scenario: Scenario): LedgerMemory => ({
  claims: new Set(),
  rollbacks: scenario.rollbacks.map((r) => ({ badDeploymentId: r.badDeploymentId, at: new Date(r.at) })),
});

export function rollbackLedger(recorder: Recorder, memory: LedgerMemory): RollbackLedgerPort {
  const { claims, rollbacks } = memory;
  return {
    async recentRollbacks(since) {
      recorder.aws("DynamoDB", "Query", `automatic rollbacks since ${since.toISOString()}`);
      return rollbacks.filter((r) => r.at >= since).sort((a, b) => b.at.getTime() - a.at.getTime());
    },
    async claim(badDeploymentId, _at, dryRun = false, action = "redeploy") {
      const key = `${dryRun ? "dry-run " : ""}${action === "stop" ? "stop " : ""}${badDeploymentId}`;
      const rolledBack = action === "redeploy" && rollbacks.some((r) => r.badDeploymentId === badDeploymentId && !r.dryRun);
      const won = !claims.has(key) && !rolledBack;
      recorder.aws("DynamoDB", "PutItem", `claim ${key} if nobody has (${won ? "won" : "already claimed"})`);
      claims.add(key);
      return won;
    },
    async release(badDeploymentId, action = "redeploy") {
      const key = `${action === "stop" ? "stop " : ""}${badDeploymentId}`;
      recorder.aws("DynamoDB", "DeleteItem", `claim ${key} given back`);
      claims.delete(key);
    },
    async recordRollback(badDeploymentId, rollbackDeploymentId, at) {
      recorder.aws(
        "DynamoDB",
        "PutItem",
        rollbackDeploymentId
          ? `rollback ${rollbackDeploymentId} of ${badDeploymentId}`
          : `rollback of ${badDeploymentId} decided (dry-run)`,
      );
      rollbacks.push({ badDeploymentId, at, ...(rollbackDeploymentId ? {} : { dryRun: true }) });
    },
    async audit(record) {
      recorder.aws("DynamoDB", "PutItem", `audit record: ${(record.decision as { action?: string }).action ?? "?"} → ${record.outcome}`);
    },
    async trail() {
      recorder.aws("DynamoDB", "Query", "audit trail");
      return [];
    },
  };
}

/** PutEvents to the default bus; the replay keeps each notice to show what the notifier makes of it. */
export function noticeRecorder(recorder: Recorder, sent: AutomationNotice[]) {
  return async (notice: AutomationNotice) => {
    recorder.aws("EventBridge", "PutEvents", `Automation Action: "${notice.title}"`);
    sent.push(notice);
  };
}

/**
 * Powertools idempotency in the state table: a fresh key runs its effect, a key already completed (a duplicate
 * delivery in a timeline) returns the kept result. One memory per function, as each function's keys are its own.
 */
export function onceRecorder(recorder: Recorder, completed = new Map<string, object>()): OnceInInvocation {
  return {
    registerContext() {},
    async run(key, effect) {
      const kept = completed.get(key);
      recorder.aws("DynamoDB", "PutItem", `idempotency record ${key} (in progress, if absent${kept ? ": it exists, completed" : ""})`);
      if (kept) return kept as never;
      const result = await effect();
      recorder.aws("DynamoDB", "UpdateItem", `idempotency record ${key} (completed, result kept 7 days)`);
      completed.set(key, JSON.parse(JSON.stringify(result)));
      return result;
    },
  };
}

export interface SlackPosted {
  channel: string;
  payload: Parameters<SlackPort["post"]>[0]["payload"];
  threadTs?: string;
  updated?: boolean;
}

/** Slack gives every message its own ts: one count for the whole replay, shared by every step's notifier run. */
export function slackRecorder(recorder: Recorder, canThread: boolean, posted: SlackPosted[], clock: { slackMessages: number }): SlackPort {
  return {
    canThread,
    async post({ channel, payload, threadTs }) {
      recorder.aws("Slack", canThread ? "chat.postMessage" : "incoming webhook", `${channel}${threadTs ? ` (in thread ${threadTs})` : ""}`);
      posted.push({ channel, payload, threadTs });
      return canThread ? { channel, ts: `1700000000.${String(++clock.slackMessages).padStart(6, "0")}` } : null;
    },
    async update(ref, payload) {
      recorder.aws("Slack", "chat.update", `${ref.channel} ${ref.ts}`);
      posted.push({ channel: ref.channel, payload, updated: true });
    },
    async remove(ref) {
      recorder.aws("Slack", "chat.delete", `${ref.channel} ${ref.ts}`);
    },
    async uploadImage(thread, png, title) {
      recorder.aws("Slack", "files.uploadV2", `"${title}" (${png.byteLength} bytes) in thread ${thread.ts}`);
    },
  };
}

export function emailRecorder(recorder: Recorder, topicArn: string, sent: Parameters<EmailPort["send"]>[0][]): EmailPort {
  return {
    async send(email) {
      recorder.aws("SNS", "Publish", `${topicArn.split(":").at(-1)}: "${email.subject}"`);
      sent.push(email);
    },
  };
}

/** A 1×1 transparent PNG: what the graph looks like does not matter here, that it is asked for does. */
const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

/**
 * CodeDeploy's report of a finished release: the replay has none to give. An empty report would read as "CodeDeploy
 * gives no error and started no rollback", which the story may contradict, so it is told as unreadable.
 */
export function deploymentReportRecorder(recorder: Recorder): DeploymentReportPort {
  return {
    async report(deploymentId) {
      recorder.aws("CodeDeploy", "GetDeployment", `${deploymentId}: CodeDeploy's error and rollback (not known offline)`);
      throw Object.assign(new Error("the replay has no CodeDeploy to ask"), { name: "Offline" });
    },
  };
}

/** ECS's record of the service deployment an ECS event is about, as the scenario gives it. */
export function serviceDeploymentsRecorder(recorder: Recorder, scenario: Scenario, service: string) {
  return {
    async latestAt(at: Date) {
      const { releaseId, status } = scenario.ecs;
      recorder.aws("ECS", "ListServiceDeployments", `${service}: the newest created by ${at.toISOString()} is ${releaseId} (${status})`);
      return { releaseId, status };
    },
    async isFirstDeployment(serviceDeploymentArn: string) {
      const first = scenario.ecs.firstDeployment;
      recorder.aws(
        "ECS",
        "DescribeServiceDeployments",
        `${serviceDeploymentArn.split("/").at(-1)}: ${first ? "the service's first" : "replaces a running revision"}`,
      );
      return first;
    },
  };
}

/** The service's task counts as the scenario gives them (running defaults to desired: a healthy service). */
export function serviceCountsRecorder(recorder: Recorder, scenario: Scenario, defaultDesired: number): ServiceCountsPort {
  return {
    async counts() {
      const desired = scenario.service.capacity?.desiredCount ?? defaultDesired;
      const running = scenario.service.running ?? desired;
      recorder.aws("ECS", "DescribeServices", `running ${running} of ${desired} desired tasks`);
      return { running, desired };
    },
  };
}

export function graphRecorder(recorder: Recorder): GraphPort {
  return {
    async render(widget) {
      recorder.aws("CloudWatch", "GetMetricWidgetImage", widget.title);
      return new Uint8Array(PIXEL);
    },
  };
}

/** What the notifier keeps in the state table, shared by every event of one replay (a timeline is one story). */
export interface NotifyMemory {
  /** Buttons' tickets issued so far. */
  tickets: number;
  /** Slack messages posted so far (each gets its own ts). */
  slackMessages: number;
  threads: Map<string, ThreadParent>;
  incidents: Map<string, IncidentRecord>;
  links: Map<string, DeploymentLink>;
  /** The incident each member joined (`member:<key>`) and each service's newest incident (`latest:<service>`). */
  pointers: Map<string, string>;
}

export const notifyMemory = (): NotifyMemory => ({
  tickets: 0,
  slackMessages: 0,
  threads: new Map(),
  incidents: new Map(),
  links: new Map(),
  pointers: new Map(),
});

export function notifyStoreRecorder(recorder: Recorder, memory: NotifyMemory): NotifyStore {
  const { threads, incidents, links, pointers } = memory;
  return {
    async memberOf(member) {
      recorder.aws("DynamoDB", "GetItem", `the incident ${member} joined`);
      return pointers.get(`member:${member}`);
    },
    async joinMember(member, key) {
      recorder.aws("DynamoDB", "PutItem", `${member} joined incident ${key}`);
      pointers.set(`member:${member}`, key);
    },
    async latestOf(service) {
      recorder.aws("DynamoDB", "GetItem", `the newest incident of ${service}`);
      return pointers.get(`latest:${service}`);
    },
    async claimLatest(service, key, expected) {
      recorder.aws("DynamoDB", "PutItem", `the newest incident of ${service} is ${key} (if still ${expected ?? "none"})`);
      if (pointers.get(`latest:${service}`) !== expected) return false;
      pointers.set(`latest:${service}`, key);
      return true;
    },
    async thread(deploymentId) {
      recorder.aws("DynamoDB", "GetItem", `Slack thread of ${deploymentId}`);
      return threads.get(deploymentId);
    },
    async claimThread(deploymentId, parent) {
      recorder.aws("DynamoDB", "PutItem", `Slack thread of ${deploymentId} (if absent)`);
      const winner = threads.get(deploymentId) ?? parent;
      threads.set(deploymentId, winner);
      return winner;
    },
    async incident(key) {
      recorder.aws("DynamoDB", "GetItem", `incident ${key}`);
      const record = incidents.get(key);
      return record && structuredClone(record);
    },
    async saveIncident(record, expected) {
      recorder.aws("DynamoDB", "PutItem", `incident ${record.key} (version ${record.version}, if still ${expected ?? "absent"})`);
      if (incidents.get(record.key)?.version !== expected) return false;
      incidents.set(record.key, structuredClone(record));
      return true;
    },
    async attachMessage(key, message) {
      recorder.aws("DynamoDB", "UpdateItem", `incident ${key} → Slack ${message.ts}`);
      const record = incidents.get(key);
      if (record && !record.message) record.message = message;
    },
    async linkDeployment(deploymentId, link) {
      recorder.aws("DynamoDB", "PutItem", `${deploymentId} is the ${link.part} of incident ${link.key} (if absent)`);
      if (!links.has(deploymentId)) links.set(deploymentId, link);
    },
    async deploymentLink(deploymentId) {
      recorder.aws("DynamoDB", "GetItem", `the incident ${deploymentId} is part of`);
      return links.get(deploymentId);
    },
  };
}

/** The two listeners, answered from the scenario by path; an unknown path is a 404, like the service's. */
export function httpRecorder(recorder: Recorder, scenario: Scenario, testUrl: string): HttpPort {
  let request = 0;
  return {
    async send({ method, url }) {
      const parsed = new URL(url);
      const side = url.startsWith(testUrl) ? "test" : "production";
      const answer = scenario.http[side][parsed.pathname] ?? { status: 404, body: "not found", latencyMs: 10 };
      // A little spread around the scenario's latency, the same in every replay: a comparison needs varying samples.
      const latencyMs = answer.latencyMs * (0.9 + ((request++ * 37) % 21) / 100);
      recorder.http(method, `${side} listener ${parsed.pathname}`, `${answer.status}`);
      return { kind: "response", status: answer.status, body: answer.body, latencyMs };
    },
  };
}

export function hookReporter(recorder: Recorder) {
  return async (deploymentId: string, executionId: string, status: HookStatus) => {
    recorder.aws(
      "CodeDeploy",
      "PutLifecycleEventHookExecutionStatus",
      `${deploymentId} ${status} (execution ${executionId.slice(0, 12)}…)`,
    );
    return "reported" as const;
  };
}

export function releaseRecorder(recorder: Recorder, scenario: Scenario): ReleasePort {
  return {
    async service(targetId) {
      recorder.aws("ECS", "DescribeServices", `${targetId}: the task sets' task definitions`);
      const serving = scenario.deployments.lastSuccess?.taskDefinitionArn;
      return { serving, up: serving ? [serving] : [] };
    },
    async active({ applicationName, deploymentGroupName }) {
      recorder.aws("CodeDeploy", "ListDeployments", `${applicationName}/${deploymentGroupName}, active ones`);
      const running = scenario.deployments.inProgress;
      return running ? { deploymentId: running.deploymentId, taskDefinitionArn: running.taskDefinitionArn, phase: "shifting" } : undefined;
    },
    async start(release) {
      recorder.aws(
        "CodeDeploy",
        "CreateDeployment",
        `${release.applicationName}/${release.deploymentGroupName} → ${release.target.taskDefinitionArn}: "${release.description}"`,
      );
      return "d-REPLAYRELEASE";
    },
    async snapshot(deploymentId) {
      recorder.aws("CodeDeploy", "GetDeployment", deploymentId);
      return { deploymentId, status: "InProgress", lifecycle: [] };
    },
    async stopWithRollback(deploymentId) {
      recorder.aws("CodeDeploy", "StopDeployment", `${deploymentId} with autoRollbackEnabled`);
      return "stopped";
    },
    async finish(deploymentId) {
      recorder.aws("CodeDeploy", "ContinueDeployment", `${deploymentId} TERMINATION_WAIT`);
      return "finished";
    },
    async status(deploymentId) {
      recorder.aws("CodeDeploy", "GetDeployment", deploymentId);
      return "Succeeded";
    },
  };
}

export function watchRecorders(recorder: Recorder, scenario: Scenario, controller: "codedeploy" | "ecs") {
  const deployments: CanaryDeploymentsPort =
    controller === "ecs"
      ? ecsCanaryRecorder(recorder, scenario)
      : {
          async status(deploymentId) {
            recorder.aws("CodeDeploy", "GetDeployment", deploymentId);
            return scenario.deployments.inProgress?.deploymentId === deploymentId ? "InProgress" : "Succeeded";
          },
          async taskSets(deploymentId) {
            recorder.aws("CodeDeploy", "GetDeploymentTarget", `${deploymentId}: task sets and traffic`);
            return null;
          },
          async stopWithRollback(deploymentId) {
            recorder.aws("CodeDeploy", "StopDeployment", `${deploymentId} with autoRollbackEnabled`);
            return "stopped";
          },
        };
  const metrics: TargetMetricsPort = {
    async window() {
      recorder.aws("CloudWatch", "GetMetricData", "requests, 5xx and p95 of both target groups");
      const quiet = { requests: 0, errors5xx: 0, p95Seconds: null };
      return { green: quiet, blue: quiet };
    },
  };
  const schedules: WatchSchedulesPort = {
    async start(deploymentId, _functionArn, until) {
      recorder.aws("Scheduler", "CreateSchedule", `watch-${deploymentId}, every minute until ${until.toISOString()}`);
      return "started";
    },
    async stop(deploymentId) {
      recorder.aws("Scheduler", "DeleteSchedule", `watch-${deploymentId}`);
      return "stopped";
    },
  };
  return { deployments, metrics, schedules };
}

/** ECS's service deployment and the listener rules, as the canary watch reads them (release.controller "ecs"). */
function ecsCanaryRecorder(recorder: Recorder, scenario: Scenario): CanaryDeploymentsPort {
  return {
    async status(releaseId) {
      recorder.aws("ECS", "DescribeServiceDeployments", `${releaseId}: ${scenario.ecs.status}`);
      return ["PENDING", "IN_PROGRESS"].includes(scenario.ecs.status) ? "InProgress" : scenario.ecs.status;
    },
    async taskSets() {
      recorder.aws("ElasticLoadBalancingV2", "DescribeRules", "the production and test rules: which target group is green, and its share");
      return null;
    },
    async stopWithRollback(releaseId) {
      recorder.aws("ECS", "StopServiceDeployment", `${releaseId} with stopType ROLLBACK`);
      return "stopped";
    },
  };
}

export function scheduleRecorders(
  recorder: Recorder,
  scenario: Scenario,
  defaultCapacity: Capacity,
  target: string,
  database: string,
  canaryName: string | null,
) {
  let capacity = scenario.service.capacity ?? defaultCapacity;
  let canary: "running" | "stopped" = "running";
  let databaseStatus = scenario.database;
  let asleep: SleepRecord | null = scenario.asleep;
  const ports: Omit<SchedulePorts, "notify"> = {
    stage: {
      async observe() {
        recorder.aws("ECS", "DescribeServices", `${target}: desired count, deployments, tags`);
        recorder.aws("ApplicationAutoScaling", "DescribeScalableTargets", `${target}: min and max`);
        return { capacity, releaseInProgress: scenario.service.releaseInProgress, tags: scenario.service.tags };
      },
      async scale(to) {
        recorder.aws("ApplicationAutoScaling", "RegisterScalableTarget", `min ${to.minCapacity}, max ${to.maxCapacity}`);
        recorder.aws("ECS", "UpdateService", `desired count ${to.desiredCount}`);
        capacity = to;
      },
      async keepAwake(until, reason) {
        recorder.aws("ECS", "TagResource", `keep-awake-until=${until.toISOString()} keep-awake-reason="${reason}"`);
      },
    },
    database: {
      async status() {
        recorder.aws("RDS", "DescribeDBInstances", database);
        return databaseStatus;
      },
      async stop() {
        recorder.aws("RDS", "StopDBInstance", database);
        databaseStatus = "stopping";
      },
      async start() {
        recorder.aws("RDS", "StartDBInstance", database);
        databaseStatus = "starting";
      },
    },
    canary: canaryName
      ? {
          async status() {
            recorder.aws("Synthetics", "GetCanary", canaryName);
            return canary;
          },
          async stop() {
            recorder.aws("Synthetics", "StopCanary", canaryName);
            canary = "stopped";
          },
          async start() {
            recorder.aws("Synthetics", "StartCanary", canaryName);
            canary = "running";
          },
        }
      : null,
    ledger: {
      async current() {
        recorder.aws("DynamoDB", "GetItem", "sleep record");
        return asleep;
      },
      async record(record) {
        const won = asleep === null;
        recorder.aws("DynamoDB", "PutItem", `sleep record (if absent: ${won ? "written" : "one is there"})`);
        asleep ??= record;
        return won;
      },
      async forget() {
        recorder.aws("DynamoDB", "DeleteItem", "sleep record");
        asleep = null;
      },
      async addNight(night) {
        recorder.aws("DynamoDB", "PutItem", `night ${night.sleptAt.toISOString()} → ${night.wokeAt.toISOString()}`);
      },
      async nights(since) {
        recorder.aws("DynamoDB", "Query", `nights since ${since.toISOString()}`);
        return [];
      },
    },
    rechecks: {
      async at(when, why) {
        recorder.aws("Scheduler", "CreateSchedule", `one-time check at ${when.toISOString()}: ${why}`);
        return "scheduled";
      },
    },
  };
  return ports;
}

/** Buttons' tickets as the notifier issues them, numbered so that a replay prints the same every time. */
export function buttonRecorder(recorder: Recorder, hours: number, memory: NotifyMemory): ButtonIssuer {
  return {
    async issue(action, subject) {
      const id = `replay${String(++memory.tickets).padStart(16, "0")}`;
      recorder.aws("DynamoDB", "PutItem", `ticket ${id}: ${action} on ${subject}, valid ${hours} h`);
      return id;
    },
  };
}
