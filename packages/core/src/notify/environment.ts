import { StageKind } from "../settings/common";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import { type NotificationSettings, NotificationSettingsSchema } from "../settings/notifications";
import { WorkersVariable } from "../settings/workers";
import * as z from "../zod";
import type { NotifyContext } from "./message";

const names = z.pipe(
  z.string(),
  z.transform((value) => value.split(",").filter(Boolean)),
);

/** What the Automation stack puts into the notify function's environment. */
const NotifyEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  /** Grades ECS service events by impact (notify/service-impact.ts); unknown, the strictest table applies. */
  STAGE_KIND: z._default(StageKind, "production"),
  APP_NAME: z.string().check(z.minLength(1)),
  AWS_REGION: z.string().check(z.minLength(1)),
  NOTIFY_SETTINGS: z.pipe(jsonVariable, NotificationSettingsSchema),
  ON_CALL_TOPIC_ARN: z.string().check(z.startsWith("arn:")),
  STATE_TABLE: z.string().check(z.minLength(1)),
  SLACK_SECRET_ID: z.string().check(z.minLength(1)),
  DASHBOARD_NAME: z.string().check(z.minLength(1)),
  CLUSTER_NAME: z.string().check(z.minLength(1)),
  SERVICE_NAME: z.string().check(z.minLength(1)),
  LOG_GROUP_NAME: z.string().check(z.minLength(1)),
  CRITICAL_ALARMS: names,
  RELEASE_ALARMS: names,
  /** The stage's workers: their ECS services and own alarms, whose events are the worker's, not the public service's. */
  WORKERS: WorkersVariable,
  /** The stage's time zone (its schedule's); times in messages are shown in it, with UTC beside. */
  TIME_ZONE: z._default(z.string().check(z.minLength(1)), "UTC"),
  /** The sleep schedule's mode where the stage sleeps at night; unknown, none (production's case). */
  SLEEP_SCHEDULE: z._default(z.enum(["enforce", "dry-run", "none"]), "none"),
  /** A stand-in for slack.com in tests and local runs. */
  SLACK_API_URL: z.optional(z.url()),
  SLACK_RETRIES: z._default(z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(10)), 3),
  SLACK_RETRY_MIN_DELAY_MS: z._default(z.coerce.number().check(z.int()).check(z.gte(1)), 1000),
  /** How long an incident's buttons stay valid; absent where the stage has no Slack interactivity (no buttons). */
  BUTTON_HOURS: z.optional(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(168))),
});

/** What the Automation stack writes (stacks/lambda-environment.ts notifyVariables). */
export type NotifyVariables = VariablesOf<typeof NotifyEnvironment>;

export interface NotifyEnvironment {
  context: NotifyContext;
  kind: StageKind;
  settings: NotificationSettings;
  topicArn: string;
  tableName: string;
  slackSecretId: string;
  slack: { apiUrl?: string; retries: number; minRetryDelayMs: number };
  buttonHours: number | null;
}

export function readNotifyEnvironment(env: Record<string, string | undefined>): NotifyEnvironment {
  const e = readEnvironment(NotifyEnvironment, env, "notify function");
  return {
    kind: e.STAGE_KIND,
    context: {
      stage: e.STAGE,
      service: e.APP_NAME,
      region: e.AWS_REGION,
      dashboardName: e.DASHBOARD_NAME,
      clusterName: e.CLUSTER_NAME,
      serviceName: e.SERVICE_NAME,
      logGroupName: e.LOG_GROUP_NAME,
      criticalAlarms: e.CRITICAL_ALARMS,
      releaseAlarms: e.RELEASE_ALARMS,
      workers: e.WORKERS,
      timeZone: e.TIME_ZONE,
      sleepSchedule: e.SLEEP_SCHEDULE === "none" ? null : e.SLEEP_SCHEDULE,
    },
    settings: e.NOTIFY_SETTINGS,
    topicArn: e.ON_CALL_TOPIC_ARN,
    tableName: e.STATE_TABLE,
    slackSecretId: e.SLACK_SECRET_ID,
    slack: { apiUrl: e.SLACK_API_URL, retries: e.SLACK_RETRIES, minRetryDelayMs: e.SLACK_RETRY_MIN_DELAY_MS },
    buttonHours: e.BUTTON_HOURS ?? null,
  };
}
