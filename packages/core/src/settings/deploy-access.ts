import * as z from "zod";
import { TASKS_AND_SHIFTS_MINUTES } from "../release/wait-budget";

/**
 * Who may deploy which stage from GitHub Actions, for one AWS account: the
 * `github-access` entry of that account's settings file, deployed once by an
 * admin (`npx sst deploy --stage github-access`). Each stage listed gets a
 * role that only a workflow job of this repository running in the GitHub
 * environment of the same name can assume.
 */
export const DEPLOY_ACCESS_STAGE = "github-access";
export const DEPLOYABLE_STAGES = ["dev", "staging", "prod", "preview"] as const;
export type DeployableStage = (typeof DEPLOYABLE_STAGES)[number];

export const DeployAccessSchema = z
  .strictObject({
    /** owner/name of the GitHub repository whose workflows deploy. */
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "must be owner/name, e.g. acme/hands-off-ops"),
    /** The stages deployed to this account; "preview" covers every pr-<number> stage. */
    stages: z.array(z.enum(DEPLOYABLE_STAGES)).min(1),
    /** An account has one GitHub OIDC provider: name it here when another stack already created it. */
    existingProviderArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
        "must be the ARN of the GitHub OIDC provider",
      )
      .nullable()
      .default(null),
  })
  .superRefine((access, ctx) => {
    if (new Set(access.stages).size !== access.stages.length)
      ctx.addIssue({ code: "custom", path: ["stages"], message: "names a stage twice" });
    if (access.stages.includes("prod") && access.stages.includes("preview"))
      ctx.addIssue({
        code: "custom",
        path: ["stages"],
        message: "prod and preview must not share an account: pull-request previews never run where production does",
      });
  });
export type DeployAccess = z.infer<typeof DeployAccessSchema>;

/**
 * IAM's ceiling for a role's MaxSessionDuration, and so for the session a web identity may ask for: 12 hours
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, MaxSessionDuration: 3600–43200).
 */
export const IAM_MAX_SESSION_SECONDS = 43_200;

/** What a deploy job spends outside CloudFormation's release wait, in minutes; planning figures, each with its reason. */
export const DEPLOY_JOB_MINUTES = {
  /** Checkout, npm ci, credentials. */
  setup: 5,
  /** A sleeping stage: the database starts and the service answers /ready (the workflow waits up to this long). */
  wakeUp: 15,
  /** SST's synth, the service image built natively on the arm64 runner, every asset published. */
  buildAndPublish: 15,
  /** The stacks in dependency order, a first create included: a Multi-AZ RDS instance alone takes 20–40 minutes. */
  stacks: 45,
  /** The post-deploy smoke suite, its warm-up retries and its own wait for /ready. */
  smoke: 12,
} as const;

/** The release settings a deploy waits out (a stage's settings, StageSettings, satisfy this). */
export interface ReleaseTimes {
  release: { controller: "codedeploy" | "ecs"; canaryMinutes: number; blueTerminationWaitMinutes: number };
  /** The approval gate's deadline, where the stage has a gate (0 otherwise). */
  approvalMinutes: number;
  /** The timeout of each lifecycle hook function a release runs: a hook reports by then. */
  hookTimeoutsSeconds: number[];
}

/**
 * The longest one `sst deploy` of a stage can run, in minutes: the job's own steps, then CloudFormation waiting
 * for the release: the new tasks, every hook to its timeout, the approval gate to its deadline, the canary
 * window, and, under the ecs controller, the bake time too (ECS's deployment, and so the stack update, ends
 * only after it; under CodeDeploy the release is done once traffic has moved, and the blue termination wait runs
 * on without CloudFormation).
 */
export function longestDeployMinutes(times: ReleaseTimes): number {
  const job = Object.values(DEPLOY_JOB_MINUTES).reduce((sum, minutes) => sum + minutes, 0);
  const hooks = Math.ceil(times.hookTimeoutsSeconds.reduce((sum, seconds) => sum + seconds, 0) / 60);
  const bake = times.release.controller === "ecs" ? times.release.blueTerminationWaitMinutes : 0;
  return job + TASKS_AND_SHIFTS_MINUTES + hooks + times.approvalMinutes + times.release.canaryMinutes + bake;
}

/** The longest a lifecycle hook function may run (stacks/canary.ts 300 s; ECS's hook, 120 s). */
export const HOOK_TIMEOUT_SECONDS = 300;

/** The parts of a stage's settings a deploy waits on. */
export interface DeploySettings {
  release: ReleaseTimes["release"];
  canary: {
    hooks: Record<string, readonly unknown[]>;
    approval: { enabled: boolean; deadlineMinutes: number };
  };
}

/**
 * A stage's release times from its settings. The approval gate's deadline counts wherever the gate is on, Slack
 * connected or not (connecting Slack later must not outgrow the session); ECS releases have no gate (the settings
 * refuse one).
 */
export function releaseTimesOf(settings: DeploySettings): ReleaseTimes {
  return {
    release: settings.release,
    approvalMinutes:
      settings.release.controller === "codedeploy" && settings.canary.approval.enabled ? settings.canary.approval.deadlineMinutes : 0,
    hookTimeoutsSeconds: Object.values(settings.canary.hooks)
      .filter((checks) => checks.length > 0)
      .map(() => HOOK_TIMEOUT_SECONDS),
  };
}

/**
 * The session a deploy role grants and the workflow asks for: the longest deploy of any of the stages, rounded up
 * to whole hours, or why no session can cover it.
 */
export function deploySessionSeconds(longestMinutes: number[]): { seconds: number } | { problem: string } {
  const longest = Math.max(...longestMinutes);
  const seconds = Math.ceil(longest / 60) * 3600;
  if (seconds > IAM_MAX_SESSION_SECONDS)
    return {
      problem: `a deploy may take ${longest} minutes, longer than the ${IAM_MAX_SESSION_SECONDS / 3600} hours an IAM role session can last: shorten the release's canary, bake or approval times`,
    };
  return { seconds };
}
