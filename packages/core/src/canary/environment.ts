import { z } from "zod";
import { ECS_HOOKS, type EcsHook } from "../release/appspec";
import { type CanarySettings, CanarySettingsSchema } from "../settings/schema";
import type { HookTargets } from "./hook";

const json = z.string().transform((raw, ctx) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "must be JSON" });
    return z.NEVER;
  }
});

/** What the Service stack puts into each hook function's environment. */
const HookEnvironment = z.object({
  STAGE: z.string().min(1),
  HOOK: z.enum(ECS_HOOKS),
  CANARY_SETTINGS: json.pipe(CanarySettingsSchema),
  TEST_URL: z.url(),
  PRODUCTION_URL: z.url(),
});

export interface HookEnvironment {
  stage: string;
  hook: EcsHook;
  settings: CanarySettings;
  targets: HookTargets;
}

export function readHookEnvironment(env: Record<string, string | undefined>): HookEnvironment {
  const parsed = HookEnvironment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`The canary hook's environment is incomplete: ${problems}`);
  }
  const e = parsed.data;
  return { stage: e.STAGE, hook: e.HOOK, settings: e.CANARY_SETTINGS, targets: { testUrl: e.TEST_URL, productionUrl: e.PRODUCTION_URL } };
}

/** What CodeDeploy sends a lifecycle hook function. */
export const CodeDeployHookEvent = z.looseObject({
  DeploymentId: z.string().regex(/^d-[A-Z0-9]+$/, "must be a CodeDeploy deployment id"),
  LifecycleEventHookExecutionId: z.string().min(1),
});
