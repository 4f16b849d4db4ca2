import type { EcsHookVariables, HookVariables, WatchVariables } from "@hands-off-ops/core/canary/environment";
import type { ChatOpsVariables } from "@hands-off-ops/core/chatops/environment";
import type { NotifyVariables } from "@hands-off-ops/core/notify/environment";
import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import type { ReleasesVariables, RollbackVariables } from "@hands-off-ops/core/rollback/environment";
import type { ScheduleVariables } from "@hands-off-ops/core/schedule/environment";
import { slackConnected } from "@hands-off-ops/core/settings/chatops";
import { approvalGateAt } from "@hands-off-ops/core/settings/schema";
import { type StageSettings, sleepsAtNight } from "./config";
import { alarmName, criticalAlarmIds, releaseAlarmIds, syntheticUserName, workerAlarmIds } from "./names";

/**
 * What each automation function finds in its environment, from the stage's
 * settings and the names of the resources it acts on. The stacks pass
 * CloudFormation references; `npm run ops -- replay` passes stand-ins, so a
 * replay runs the handler with the environment a deploy gives it. Each
 * function reads its variables back with core's read…Environment, and each
 * writer's type is derived from that reader's schema (VariablesOf): the names
 * are written once.
 */

interface App {
  stage: string;
  name: string;
}

/** A worker as the stacks know it: its name in the settings, and its ECS service's name (a reference at deploy). */
export interface WorkerRef {
  name: string;
  ecsService: string;
}

/**
 * The WORKERS variable of the notify and rollback functions (core settings/workers.ts reads it): each worker's ECS
 * service and its own alarms, the very names its ECS deployment alarms watch (stacks/workers.ts). Left out where the
 * stage has no worker.
 */
export function workersVariable(app: App, workers: readonly WorkerRef[]): { WORKERS?: string } {
  if (!workers.length) return {};
  const described = workers.map((w) => ({
    name: w.name,
    ecsService: w.ecsService,
    alarms: workerAlarmIds(w.name).map((id) => alarmName(app, id)),
  }));
  return { WORKERS: JSON.stringify(described) };
}

export function notifyVariables(
  app: App,
  settings: StageSettings,
  refs: {
    topicArn: string;
    tableName: string;
    slackSecretId: string;
    dashboardName: string;
    clusterName: string;
    serviceName: string;
    logGroupName: string;
    workers: readonly WorkerRef[];
  },
): NotifyVariables {
  return {
    STAGE: app.stage,
    STAGE_KIND: settings.kind,
    APP_NAME: app.name,
    NOTIFY_SETTINGS: JSON.stringify(settings.notifications),
    ON_CALL_TOPIC_ARN: refs.topicArn,
    STATE_TABLE: refs.tableName,
    SLACK_SECRET_ID: refs.slackSecretId,
    DASHBOARD_NAME: refs.dashboardName,
    CLUSTER_NAME: refs.clusterName,
    SERVICE_NAME: refs.serviceName,
    LOG_GROUP_NAME: refs.logGroupName,
    CRITICAL_ALARMS: criticalAlarmIds(settings)
      .map((id) => alarmName(app, id))
      .join(","),
    RELEASE_ALARMS: releaseAlarmIds(settings)
      .map((id) => alarmName(app, id))
      .join(","),
    ...workersVariable(app, refs.workers),
    TIME_ZONE: settings.schedule.timeZone,
    // RDS's stop, start and 7-day restart of the database are read against what the sleep schedule does.
    SLEEP_SCHEDULE: sleepsAtNight(settings) ? settings.automationMode : "none",
    // Incidents get an Acknowledge button only where the interactivity endpoint exists.
    // Buttons only once Slack is connected (chatops.teamId): until then every press would be refused.
    ...(slackConnected(settings.chatops) ? { BUTTON_HOURS: String(settings.chatops.buttonHours) } : {}),
  };
}

export function hookVariables(
  app: App,
  settings: StageSettings,
  hook: EcsHook,
  refs: { testUrl: string; productionUrl: string },
): HookVariables {
  return {
    STAGE: app.stage,
    HOOK: hook,
    CANARY_SETTINGS: JSON.stringify(settings.canary),
    TEST_URL: refs.testUrl,
    PRODUCTION_URL: refs.productionUrl,
    BLUE_WAIT_MINUTES: String(settings.release.blueTerminationWaitMinutes),
    APPROVAL_GATE: approvalGateAt(settings) === hook ? "on" : "off",
  };
}

export function ecsHookVariables(app: App, settings: StageSettings, refs: { testUrl: string; productionUrl: string }): EcsHookVariables {
  return {
    STAGE: app.stage,
    CANARY_SETTINGS: JSON.stringify(settings.canary),
    TEST_URL: refs.testUrl,
    PRODUCTION_URL: refs.productionUrl,
    BAKE_MINUTES: String(settings.release.blueTerminationWaitMinutes),
  };
}

export function watchVariables(
  app: App,
  settings: StageSettings,
  refs: {
    targetId: string;
    targetGroups: string;
    loadBalancer: string;
    scheduleGroup: string;
    schedulerRoleArn: string;
    /** release.controller "ecs": the service and its production and test listener rules. */
    ecs?: { serviceArn: string; listenerRules: string };
  },
): WatchVariables {
  return {
    STAGE: app.stage,
    AUTOMATION_MODE: settings.automationMode,
    CANARY_SETTINGS: JSON.stringify(settings.canary),
    CANARY_MINUTES: String(settings.release.canaryMinutes),
    TARGET_ID: refs.targetId,
    TARGET_GROUPS: refs.targetGroups,
    LOAD_BALANCER: refs.loadBalancer,
    SCHEDULE_GROUP: refs.scheduleGroup,
    SCHEDULER_ROLE_ARN: refs.schedulerRoleArn,
    ...(refs.ecs
      ? { RELEASE_CONTROLLER: "ecs", SERVICE_ARN: refs.ecs.serviceArn, LISTENER_RULES: refs.ecs.listenerRules }
      : { RELEASE_CONTROLLER: "codedeploy" }),
  };
}

/** Where the releases run: CodeDeploy's group, or the ECS service whose own deployments they are. */
export type ReleasesRefs =
  | { controller: "codedeploy"; applicationName: string; deploymentGroupName: string; containerName: string }
  | { controller: "ecs"; serviceArn: string };

/** The RELEASE_CONTROLLER variables (core rollback/environment.ts readReleaseGroup). */
export function releasesVariables(settings: StageSettings, refs: ReleasesRefs): ReleasesVariables {
  if (refs.controller === "ecs") return { RELEASE_CONTROLLER: "ecs", SERVICE_ARN: refs.serviceArn };
  return {
    RELEASE_CONTROLLER: "codedeploy",
    APPLICATION: refs.applicationName,
    DEPLOYMENT_GROUP: refs.deploymentGroupName,
    CONTAINER_NAME: refs.containerName,
    CONTAINER_PORT: String(settings.service.containerPort),
  };
}

export function rollbackVariables(
  app: App,
  settings: StageSettings,
  refs: { tableName: string; releases: ReleasesRefs; workers: readonly WorkerRef[] },
): RollbackVariables {
  return {
    STAGE: app.stage,
    APP_NAME: app.name,
    AUTOMATION_MODE: settings.automationMode,
    ROLLBACK_SETTINGS: JSON.stringify(settings.rollback),
    BAKE_WINDOW_MINUTES: String(settings.release.bakeWindowMinutes),
    STATE_TABLE: refs.tableName,
    TIME_ZONE: settings.schedule.timeZone,
    // The alarms the release's controller watches itself (CodeDeploy's deployment group, or ECS's deployment
    // alarms: Service stack): on them it stops and rolls back a running release without the automation.
    RELEASE_ALARMS: releaseAlarmIds(settings)
      .map((id) => alarmName(app, id))
      .join(","),
    // A worker's own alarms blame no release of the public service: ECS rolls the worker back itself.
    ...workersVariable(app, refs.workers),
    ...releasesVariables(settings, refs.releases),
  };
}

export function scheduleVariables(
  app: App,
  settings: StageSettings,
  refs: {
    /** JSON of the holidays and closed dates, worked out at synth (the function carries no holiday library). */
    closedDays: string;
    tableName: string;
    cluster: string;
    service: string;
    /** The stage's workers: each its name in the settings, its ECS service's name and its size. */
    workers: { name: string; service: string; sizing: Pick<StageSettings["service"], "cpu" | "memoryMiB" | "minTasks" | "maxTasks"> }[];
    /** null where the stage has no database. */
    databaseInstance: string | null;
    scheduleGroup: string;
    schedulerRoleArn: string;
    deadLetterQueueArn: string;
  },
): ScheduleVariables {
  return {
    STAGE: app.stage,
    STAGE_KIND: settings.kind,
    AUTOMATION_MODE: settings.automationMode,
    SCHEDULE_SETTINGS: JSON.stringify({ ...settings.schedule, holidays: undefined, closedDates: undefined }),
    CLOSED_DAYS: refs.closedDays,
    DEFAULT_CAPACITY: JSON.stringify({
      desiredCount: settings.service.minTasks,
      minCapacity: settings.service.minTasks,
      maxCapacity: settings.service.maxTasks,
    }),
    TASK_VCPU: String(settings.service.cpu / 1024),
    TASK_MEMORY_GB: String(settings.service.memoryMiB / 1024),
    DATABASE_INSTANCES: String(settings.database.enabled ? (settings.database.multiAz ? 2 : 1) : 0),
    STATE_TABLE: refs.tableName,
    CLUSTER: refs.cluster,
    SERVICE: refs.service,
    // Each worker sleeps and wakes with the stage; without a record it wakes at its minTasks, as it was deployed.
    ...(refs.workers.length
      ? {
          WORKERS: JSON.stringify(
            refs.workers.map(({ name, service, sizing }) => ({
              name,
              service,
              defaults: { desiredCount: sizing.minTasks, minCapacity: sizing.minTasks, maxCapacity: sizing.maxTasks },
              vcpu: sizing.cpu / 1024,
              memoryGb: sizing.memoryMiB / 1024,
            })),
          ),
        }
      : {}),
    ...(refs.databaseInstance ? { DATABASE_INSTANCE: refs.databaseInstance } : {}),
    SCHEDULE_GROUP: refs.scheduleGroup,
    SCHEDULER_ROLE_ARN: refs.schedulerRoleArn,
    DEAD_LETTER_QUEUE_ARN: refs.deadLetterQueueArn,
    ...(settings.synthetics.enabled ? { CANARY_NAME: syntheticUserName(app) } : {}),
  };
}

export function chatOpsVariables(
  app: App,
  settings: StageSettings,
  refs: {
    tableName: string;
    slackSecretId: string;
    rollbackFunction: string;
    scheduleFunction: string | null;
    deadlines: { groupName: string; roleArn: string; functionArn: string };
  },
): ChatOpsVariables {
  return {
    ROLLBACK_FUNCTION: refs.rollbackFunction,
    ...(refs.scheduleFunction ? { SCHEDULE_FUNCTION: refs.scheduleFunction } : {}),
    STAGE: app.stage,
    CHATOPS_SETTINGS: JSON.stringify(settings.chatops),
    STATE_TABLE: refs.tableName,
    SLACK_SECRET_ID: refs.slackSecretId,
    TIME_ZONE: settings.schedule.timeZone,
    APPROVAL_SCHEDULE_GROUP: refs.deadlines.groupName,
    APPROVAL_SCHEDULER_ROLE_ARN: refs.deadlines.roleArn,
    APPROVAL_TARGET_ARN: refs.deadlines.functionArn,
  };
}
