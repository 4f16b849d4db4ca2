import { ECS_HOOKS, type EcsHook } from "../release/appspec";
import type { EcsReleases } from "../release/release-group";
import { EcsServiceArn, ReleaseId } from "../release/release-id";
import { readReleaseGroup } from "../rollback/environment";
import { type CanarySettings, CanarySettingsSchema } from "../settings/canary";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import * as z from "../zod";
import type { HookTargets } from "./hook";

/** What the Service stack puts into each hook function's environment. */
const HookEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  HOOK: z.enum(ECS_HOOKS),
  CANARY_SETTINGS: z.pipe(jsonVariable, CanarySettingsSchema),
  TEST_URL: z.url(),
  PRODUCTION_URL: z.url(),
  /** How long the previous version's tasks are kept after a release (release.blueTerminationWaitMinutes). */
  BLUE_WAIT_MINUTES: z.coerce.number().check(z.int()).check(z.gte(0)),
  /** "on" where this hook is the stage's approval gate and Slack is connected (canary.approval). */
  APPROVAL_GATE: z.enum(["on", "off"]),
});

/** What the Service stack writes for each CodeDeploy hook (stacks/lambda-environment.ts hookVariables). */
export type HookVariables = VariablesOf<typeof HookEnvironment>;

export interface HookEnvironment {
  stage: string;
  hook: EcsHook;
  settings: CanarySettings;
  targets: HookTargets;
  blueWaitMinutes: number;
  approvalGate: boolean;
}

export function readHookEnvironment(env: Record<string, string | undefined>): HookEnvironment {
  const e = readEnvironment(HookEnvironment, env, "canary hook");
  return {
    stage: e.STAGE,
    hook: e.HOOK,
    settings: e.CANARY_SETTINGS,
    targets: { testUrl: e.TEST_URL, productionUrl: e.PRODUCTION_URL },
    blueWaitMinutes: e.BLUE_WAIT_MINUTES,
    approvalGate: e.APPROVAL_GATE === "on",
  };
}

/** What the Service stack puts into the ECS lifecycle hook's environment (release.controller "ecs"). */
const EcsHookEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  CANARY_SETTINGS: z.pipe(jsonVariable, CanarySettingsSchema),
  TEST_URL: z.url(),
  PRODUCTION_URL: z.url(),
  /** ECS's bake time: how long it keeps the previous revision after production traffic moved (release.blueTerminationWaitMinutes). */
  BAKE_MINUTES: z.coerce.number().check(z.int()).check(z.gte(0)),
});

/** What the Service stack writes for the ECS lifecycle hook (stacks/lambda-environment.ts ecsHookVariables). */
export type EcsHookVariables = VariablesOf<typeof EcsHookEnvironment>;

export function readEcsHookEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(EcsHookEnvironment, env, "ECS lifecycle hook");
  return {
    stage: e.STAGE,
    settings: e.CANARY_SETTINGS,
    targets: { testUrl: e.TEST_URL, productionUrl: e.PRODUCTION_URL } satisfies HookTargets,
    bakeMinutes: e.BAKE_MINUTES,
  };
}
export type EcsHookEnvironment = ReturnType<typeof readEcsHookEnvironment>;

/** What CodeDeploy sends a lifecycle hook function. */
export const CodeDeployHookEvent = z.looseObject({
  DeploymentId: z.string().check(z.regex(/^d-[A-Z0-9]+$/, "must be a CodeDeploy deployment id")),
  LifecycleEventHookExecutionId: z.string().check(z.minLength(1)),
});

/** What the Service stack puts into the canary watch function's environment. */
const WatchEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  AUTOMATION_MODE: z.enum(["enforce", "dry-run"]),
  CANARY_SETTINGS: z.pipe(jsonVariable, CanarySettingsSchema),
  CANARY_MINUTES: z.coerce.number().check(z.int()).check(z.positive()),
  TARGET_ID: z.string().check(z.regex(/^[^:]+:[^:]+$/, "must be cluster:service")),
  /** The service's two target groups, full names as CloudWatch knows them (targetgroup/<name>/<id>), comma-separated. */
  TARGET_GROUPS: z.pipe(
    z.pipe(
      z.string(),
      z.transform((list) => list.split(",")),
    ),
    z.array(z.string().check(z.regex(/^targetgroup\/[^/]+\/[^/]+$/, "must be targetgroup/<name>/<id>"))).check(z.length(2)),
  ),
  LOAD_BALANCER: z.string().check(z.startsWith("app/")),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith("arn:")),
});

/** Whose deployments the watch follows: CodeDeploy's, or (release.controller "ecs") ECS's, with its two listener rules. */
const WatchedReleases = z.discriminatedUnion("RELEASE_CONTROLLER", [
  z.object({ RELEASE_CONTROLLER: z.literal("codedeploy") }),
  z.object({
    RELEASE_CONTROLLER: z.literal("ecs"),
    SERVICE_ARN: EcsServiceArn,
    /** The production and the test listener rule ECS shifts, comma-separated. */
    LISTENER_RULES: z.pipe(
      z.pipe(
        z.string(),
        z.transform((list) => list.split(",")),
      ),
      z.array(z.string().check(z.startsWith("arn:"))).check(z.length(2)),
    ),
  }),
]);

/** What the Service stack writes for the canary watch (stacks/lambda-environment.ts watchVariables). */
export type WatchVariables = VariablesOf<typeof WatchEnvironment> & VariablesOf<typeof WatchedReleases>;

export function readWatchEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(WatchEnvironment, env, "canary watch");
  const watched = readEnvironment(WatchedReleases, env, "canary watch");
  return {
    releases:
      watched.RELEASE_CONTROLLER === "ecs"
        ? {
            controller: "ecs" as const,
            releases: readReleaseGroup(env, "canary watch") as EcsReleases,
            rules: { production: watched.LISTENER_RULES[0] as string, test: watched.LISTENER_RULES[1] as string },
          }
        : { controller: "codedeploy" as const },
    context: {
      stage: e.STAGE,
      controllerName: watched.RELEASE_CONTROLLER === "ecs" ? ("ECS" as const) : ("CodeDeploy" as const),
      mode: e.AUTOMATION_MODE,
      settings: e.CANARY_SETTINGS,
      targetId: e.TARGET_ID,
      targetGroups: Object.fromEntries(e.TARGET_GROUPS.map((fullName) => [fullName.split("/")[1] as string, fullName])),
    },
    canaryMinutes: e.CANARY_MINUTES,
    loadBalancer: e.LOAD_BALANCER,
    scheduleGroup: e.SCHEDULE_GROUP,
    schedulerRoleArn: e.SCHEDULER_ROLE_ARN,
  };
}
export type WatchEnvironment = ReturnType<typeof readWatchEnvironment>;

/**
 * The kinds of event the watch receives: CodeDeploy's state changes, or ECS's service deployment ones (start,
 * stop watching), and its own minute ticks.
 */
export const WatchEvent = z.union([
  z.looseObject({
    "detail-type": z.literal("CodeDeploy Deployment State-change Notification"),
    detail: z.looseObject({ deploymentId: z.string().check(z.regex(/^d-[A-Z0-9]+$/)), state: z.string() }),
  }),
  z.looseObject({
    "detail-type": z.literal("ECS Deployment State Change"),
    time: z.iso.datetime({ offset: true }),
    detail: z.looseObject({ eventName: z.string() }),
  }),
  z.strictObject({ deploymentId: ReleaseId }),
]);
