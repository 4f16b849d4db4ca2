import { AUTOMATION_DETAIL_TYPE } from "@hands-off-ops/core/notify/sources/automation";
import { RDS_INSTANCE_DETAIL_TYPE } from "@hands-off-ops/core/notify/sources/rds";
import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import { ECS_HOOKS } from "@hands-off-ops/core/release/appspec";
import type { Capacity } from "@hands-off-ops/core/schedule/plan";
import { RDS_AUTO_START_EVENT } from "@hands-off-ops/core/schedule/trigger";
import { type StageSettings, sleepsAtNight } from "../../../../../stacks/config";
import { APP_NAME } from "../../../../../stacks/names";

/**
 * Which of the stage's functions an event reaches, as the stage's EventBridge
 * rules, CodeDeploy and CloudFormation deliver it (stacks/notify.ts,
 * rollback.ts, canary.ts, schedule.ts, release.ts). The rules also filter by
 * the stage's own names (alarm prefix, cluster, deployment group); the
 * handlers check those too, so a replay of a foreign event shows how they
 * turn it away.
 */

export type Receiver =
  | { fn: "notify" | "rollback" | "canary-watch" | "schedule" | "release" | "ecs-hook" }
  | { fn: "canary-hook"; hook: EcsHook };

export class RouteError extends Error {}

/** A worker as the replay names its ECS service (the real names are CloudFormation's): <stage>-<app>-worker-<name>. */
export interface WorkerStandIn {
  name: string;
  ecsService: string;
  /** Its size in full (the settings make each service's size whole). */
  sizing: StageSettings["service"];
}

/** The stage's workers (its services that are not public), with their stand-in ECS service names. */
export function workerStandIns(settings: StageSettings, app: string): WorkerStandIn[] {
  return Object.entries(settings.services ?? {})
    .filter(([, service]) => !service.public)
    .map(([name, service]) => ({
      name,
      ecsService: `${settings.stage}-${app}-worker-${name}`,
      sizing: { ...settings.service, ...service.size },
    }));
}

/** Each worker's capacity as the story starts: its minTasks and scaling limits, or none while the stage is asleep. */
export function workerCapacities(settings: StageSettings, app: string, asleep: boolean): Record<string, Capacity> {
  return Object.fromEntries(
    workerStandIns(settings, app).map(({ ecsService, sizing }) => [
      ecsService,
      asleep
        ? { desiredCount: 0, minCapacity: 0, maxCapacity: 0 }
        : { desiredCount: sizing.minTasks, minCapacity: sizing.minTasks, maxCapacity: sizing.maxTasks },
    ]),
  );
}

/** The worker whose ECS service an event names in its resources, by its stand-in name; undefined: none of them. */
function workerNamed(fields: Record<string, unknown>, settings: StageSettings, app: string): WorkerStandIn | undefined {
  const resources = Array.isArray(fields.resources) ? fields.resources : [];
  const services = resources.map((arn) => String(arn).split("/").at(-1));
  return workerStandIns(settings, app).find((worker) => services.includes(worker.ecsService));
}

/** The stage's account as a replay names it (stand-in names: the real one is known only in AWS). */
export const REPLAY_ACCOUNT = "123456789012";

export function receiversOf(event: unknown, settings: StageSettings, hook: string | undefined, app = APP_NAME): Receiver[] {
  if (typeof event !== "object" || event === null || Array.isArray(event)) throw new RouteError("The event is not a JSON object.");
  const fields = event as Record<string, unknown>;
  const byEcs = settings.release.controller === "ecs";
  if ("lifecycleStage" in fields && "executionDetails" in fields) {
    if (!byEcs) return notRunBy(settings, "ECS", "an ECS lifecycle hook invocation");
    return [{ fn: "ecs-hook" }];
  }
  if ("DeploymentId" in fields && "LifecycleEventHookExecutionId" in fields) {
    if (byEcs) return notRunBy(settings, "CodeDeploy", "a CodeDeploy lifecycle hook invocation");
    return [{ fn: "canary-hook", hook: hookOf(settings, hook) }];
  }
  if (fields.ResourceType === "Custom::Release" && "RequestType" in fields) {
    if (byEcs) return notRunBy(settings, "CodeDeploy", "a Custom::Release request");
    return [{ fn: "release" }];
  }
  if ("action" in fields && !("source" in fields))
    return sleepsAtNight(settings) ? [{ fn: "schedule" }] : refuse(settings, "the sleep schedule");
  const detailType = fields["detail-type"];
  const detail = (typeof fields.detail === "object" && fields.detail !== null ? fields.detail : {}) as Record<string, unknown>;
  // As the synthesized rules filter (stacks/notify.ts, rollback.ts, schedule.ts), checked against moto's EventBridge
  // in tests/infra/eventbridge-rules.test.ts: the console never shows a function an event AWS would not deliver to it.
  switch (detailType) {
    case "CloudWatch Alarm State Change": {
      const state = (detail.state as { value?: unknown } | undefined)?.value;
      return state === "ALARM" ? [{ fn: "notify" }, { fn: "rollback" }] : [{ fn: "notify" }];
    }
    case "CodeDeploy Deployment State-change Notification":
      if (byEcs) return notRunBy(settings, "CodeDeploy", "a CodeDeploy deployment event");
      return settings.canary.watch.enabled ? [{ fn: "notify" }, { fn: "canary-watch" }] : [{ fn: "notify" }];
    case "ECS Deployment State Change":
      // A worker's own rolling deployment (stacks/notify.ts NotifyWorkerDeployments), whoever runs the public service's releases.
      if (workerNamed(fields, settings, app)) return [{ fn: "notify" }];
      if (!byEcs) return notRunBy(settings, "ECS", "an ECS service deployment event");
      return settings.canary.watch.enabled ? [{ fn: "notify" }, { fn: "canary-watch" }] : [{ fn: "notify" }];
    case "ECS Task State Change":
      if (detail.lastStatus !== "STOPPED")
        return filtered(settings, `the rule passes only stopped tasks (this one is ${JSON.stringify(detail.lastStatus)})`);
      return [{ fn: "notify" }];
    case "ECS Service Action":
      if (detail.eventType !== "WARN" && detail.eventType !== "ERROR" && detail.eventName !== "SERVICE_STEADY_STATE")
        return filtered(
          settings,
          `the rules pass only WARN and ERROR service events, and SERVICE_STEADY_STATE (this one is ${JSON.stringify(detail.eventType)} ${JSON.stringify(detail.eventName)})`,
        );
      return [{ fn: "notify" }];
    case AUTOMATION_DETAIL_TYPE:
      return [{ fn: "notify" }];
    // The reminder sweep's rule (stacks/notify.ts, NotifyReminders), where the stage has reminders.
    case "Scheduled Event":
      return settings.notifications.remindAfterHours === null
        ? filtered(settings, "it is the reminder sweep's, and the stage has no reminders (notifications.remindAfterHours is null)")
        : [{ fn: "notify" }];
    case RDS_INSTANCE_DETAIL_TYPE:
      // Every event of the stage's instance reaches the notifier; the sleep schedule's rule passes only RDS's start after 7 days.
      return sleepsAtNight(settings) && detail.EventID === RDS_AUTO_START_EVENT
        ? [{ fn: "notify" }, { fn: "schedule" }]
        : [{ fn: "notify" }];
    default:
      throw new RouteError(
        `No function of ${settings.stage} receives this event (source ${JSON.stringify(fields.source)}, detail-type ${JSON.stringify(detailType)}). ` +
          "Replay takes EventBridge events (CloudWatch alarms, CodeDeploy, ECS, RDS, automation notices), CodeDeploy and ECS lifecycle " +
          'hook invocations, Custom::Release requests and schedule ticks ({"action": "sleep"}).',
      );
  }
}

/** The event belongs to the other release controller than the stage's (settings release.controller). */
function notRunBy(settings: StageSettings, controller: "ECS" | "CodeDeploy", what: string): never {
  const runs = settings.release.controller === "ecs" ? "ECS itself (release.controller ecs)" : "CodeDeploy (release.controller codedeploy)";
  throw new RouteError(`No function of ${settings.stage} receives ${what}: its releases are run by ${runs}, not by ${controller}.`);
}

function filtered(settings: StageSettings, why: string): never {
  throw new RouteError(`No function of ${settings.stage} receives this event: ${why}.`);
}

function refuse(settings: StageSettings, what: string): never {
  const why = settings.kind === "production" ? "a production stage is never scheduled down" : "its schedule is off in the settings";
  throw new RouteError(`No function of ${settings.stage} receives this event: it is for ${what}, and ${settings.stage} has none (${why}).`);
}

/** The hook asked for, or the first one the stage runs checks at (CodeDeploy invokes each hook's own function). */
function hookOf(settings: StageSettings, asked: string | undefined): EcsHook {
  const wired = ECS_HOOKS.filter((hook) => settings.canary.hooks[hook].length > 0);
  if (asked === undefined) {
    const first = wired[0];
    if (!first) throw new RouteError(`${settings.stage} runs no checks at any lifecycle hook: no hook function to replay.`);
    return first;
  }
  const hook = ECS_HOOKS.find((name) => name === asked);
  if (!hook) throw new RouteError(`--hook must be one of ${ECS_HOOKS.join(", ")} (got "${asked}").`);
  if (!wired.includes(hook))
    throw new RouteError(`${settings.stage} runs no checks at ${hook}: its hooks are ${wired.join(", ") || "none"}.`);
  return hook;
}

/**
 * Where the stage's EventBridge rule would not pass the event on (it names
 * another stage's resources): the replay runs it anyway and says so.
 */
export function ruleNotes(
  event: unknown,
  stage: string,
  app: string,
  region: string,
  account: string,
  /** The stage's workers' stand-in ECS service names (workerStandIns). */
  workers: readonly string[] = [],
): string[] {
  const fields = (event ?? {}) as { "detail-type"?: unknown; detail?: Record<string, unknown>; region?: unknown; account?: unknown };
  const detail = fields.detail ?? {};
  const prefix = `${stage}-${app}-`;
  const notes: string[] = [];
  const wouldNot = (what: string) => notes.push(`In AWS the ${stage} rule would not deliver this event: ${what}. Replayed anyway.`);
  // The rules match the stage's cluster ARN; the replay names that cluster ${prefix}cluster.
  const otherCluster = () => {
    const cluster = String(detail.clusterArn ?? "")
      .split("/")
      .at(-1);
    if (cluster !== `${prefix}cluster`)
      wouldNot(`the cluster ${cluster} is not the stage's (${prefix}cluster in a replay; a scenario can set detail.clusterArn)`);
  };
  // EventBridge rules see the events of their own region only (AWS's samples come from us-east-1 and us-west-2).
  if (typeof fields.region === "string" && fields["detail-type"] !== undefined && fields.region !== region)
    wouldNot(`it comes from ${fields.region}, and the stage's rules are in ${region} (a scenario can set "region": "{region}")`);
  // A rule on the default event bus sees its own account's events only, unless another account sends them on.
  if (typeof fields.account === "string" && fields["detail-type"] !== undefined && fields.account !== account)
    wouldNot(`it comes from account ${fields.account}, and the stage's rules are in ${account} (a scenario can set "account")`);
  switch (fields["detail-type"]) {
    case "CloudWatch Alarm State Change":
      if (!String(detail.alarmName).startsWith(prefix)) wouldNot(`the alarm ${detail.alarmName} is not named ${prefix}…`);
      break;
    case "CodeDeploy Deployment State-change Notification":
      if (detail.application !== `${prefix}Service`) wouldNot(`the application ${detail.application} is not ${prefix}Service`);
      break;
    case "ECS Task State Change":
      otherCluster();
      if (detail.lastStatus !== "STOPPED") wouldNot(`only stopped tasks are passed on (this one is ${detail.lastStatus})`);
      break;
    case "ECS Service Action":
      otherCluster();
      if (!["WARN", "ERROR"].includes(String(detail.eventType)) && detail.eventName !== "SERVICE_STEADY_STATE")
        wouldNot(`only WARN and ERROR service actions and SERVICE_STEADY_STATE are passed on (this is ${detail.eventType})`);
      break;
    case AUTOMATION_DETAIL_TYPE:
      if (detail.stage !== stage) wouldNot(`the notice is for stage ${detail.stage}`);
      break;
    // The rules match the stage's DB instance; the replay names it ${prefix}database.
    case RDS_INSTANCE_DETAIL_TYPE:
      if (detail.SourceIdentifier !== `${prefix}database`)
        wouldNot(
          `the DB instance ${detail.SourceIdentifier} is not the stage's (${prefix}database in a replay; a scenario can set detail.SourceIdentifier)`,
        );
      break;
    case "ECS Deployment State Change": {
      // The rule matches the service's ARN; the replay names that service ${prefix}service.
      const resources = (fields as { resources?: unknown }).resources;
      const service = String(Array.isArray(resources) ? resources[0] : "")
        .split("/")
        .at(-1);
      if (service !== `${prefix}service` && !workers.includes(String(service)))
        wouldNot(
          `the service ${service} is not the stage's (${[`${prefix}service`, ...workers].join(" or ")} in a replay; a scenario can set resources)`,
        );
      break;
    }
  }
  return notes;
}
