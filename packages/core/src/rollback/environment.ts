import type { ReleaseGroup } from "../release/release-group";
import { EcsServiceArn } from "../release/release-id";
import { AutomationMode } from "../settings/common";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import { RollbackSettingsSchema } from "../settings/rollback";
import { WorkersVariable } from "../settings/workers";
import * as z from "../zod";

/** What the Automation stack puts into the rollback function's environment. */
const RollbackEnvironmentSchema = z.object({
  STAGE: z.string().check(z.minLength(1)),
  APP_NAME: z.string().check(z.minLength(1)),
  AUTOMATION_MODE: AutomationMode,
  ROLLBACK_SETTINGS: z.pipe(jsonVariable, RollbackSettingsSchema),
  BAKE_WINDOW_MINUTES: z.coerce.number().check(z.int()).check(z.positive()),
  STATE_TABLE: z.string().check(z.minLength(1)),
  /** The stage's time zone (its schedule's); times in the decisions' reasons are shown in it, with UTC beside. */
  TIME_ZONE: z._default(z.string().check(z.minLength(1)), "UTC"),
  /**
   * The alarms (full names) the release's controller watches itself: CodeDeploy's deployment group alarm
   * configuration, or ECS's deployment alarms (release.controller "ecs"). On them it stops and rolls back a running
   * release without the automation.
   */
  RELEASE_ALARMS: z.pipe(
    z.string(),
    z.transform((value) => value.split(",").filter(Boolean)),
  ),
  /** The stage's workers and their own alarms: ECS rolls a worker back by itself, no release of the public service is to blame. */
  WORKERS: WorkersVariable,
  /** Set by Lambda itself: commands and links in the messages name it. */
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

/** Where the releases run: CodeDeploy's application and group, or (release.controller "ecs") the ECS service. */
const ReleasesEnvironmentSchema = z.discriminatedUnion("RELEASE_CONTROLLER", [
  z.object({
    RELEASE_CONTROLLER: z.literal("codedeploy"),
    APPLICATION: z.string().check(z.minLength(1)),
    DEPLOYMENT_GROUP: z.string().check(z.minLength(1)),
    CONTAINER_NAME: z.string().check(z.minLength(1)),
    CONTAINER_PORT: z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(65535)),
  }),
  z.object({
    RELEASE_CONTROLLER: z.literal("ecs"),
    SERVICE_ARN: EcsServiceArn,
  }),
]);

/** Where the releases run, as the stacks write it (stacks/lambda-environment.ts releasesVariables). */
export type ReleasesVariables = VariablesOf<typeof ReleasesEnvironmentSchema>;
/** What the Automation stack writes for the rollback (stacks/lambda-environment.ts rollbackVariables). */
export type RollbackVariables = VariablesOf<typeof RollbackEnvironmentSchema> & ReleasesVariables;

/** Where a function's releases run, read from its environment (the rollback function's and the canary watch's). */
export function readReleaseGroup(env: Record<string, string | undefined>, who: string): ReleaseGroup {
  const e = readEnvironment(ReleasesEnvironmentSchema, env, who);
  const region = env.AWS_REGION || undefined;
  if (e.RELEASE_CONTROLLER === "ecs") {
    // The schema checked the form: arn:…:service/<cluster>/<service>.
    const [cluster, service] = (e.SERVICE_ARN.split(":service/")[1] as string).split("/") as [string, string];
    return { controller: "ecs", serviceArn: e.SERVICE_ARN, cluster, service, ...(region ? { region } : {}) };
  }
  return {
    controller: "codedeploy",
    applicationName: e.APPLICATION,
    deploymentGroupName: e.DEPLOYMENT_GROUP,
    containerName: e.CONTAINER_NAME,
    containerPort: e.CONTAINER_PORT,
    ...(region ? { region } : {}),
  };
}

export function readRollbackEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(RollbackEnvironmentSchema, env, "rollback function");
  return {
    stage: e.STAGE,
    alarmPrefix: `${e.STAGE}-${e.APP_NAME}-`,
    policy: {
      ...e.ROLLBACK_SETTINGS,
      mode: e.AUTOMATION_MODE,
      bakeWindowMinutes: e.BAKE_WINDOW_MINUTES,
      timeZone: e.TIME_ZONE,
      releaseAlarms: e.RELEASE_ALARMS,
      workers: e.WORKERS,
    },
    tableName: e.STATE_TABLE,
    target: readReleaseGroup(env, "rollback function"),
  };
}
export type RollbackEnvironment = ReturnType<typeof readRollbackEnvironment>;
