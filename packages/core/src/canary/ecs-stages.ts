import type { EcsHook } from "../release/appspec";
import { parseServiceDeploymentArn } from "../release/release-id";
import type { CanarySettings } from "../settings/canary";
import * as z from "../zod";

/** ECS's lifecycle stages of a service deployment, in the order they run (Amazon ECS Developer Guide, "Lambda hooks"). */
export const ECS_LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const;
export type EcsLifecycleStage = (typeof ECS_LIFECYCLE_STAGES)[number];

/**
 * Where the checks the settings give each CodeDeploy hook run under ECS. AfterAllowTestTraffic and
 * BeforeAllowTraffic both mean "green has test traffic, production has not moved": POST_TEST_TRAFFIC_SHIFT.
 * Not PRE_PRODUCTION_TRAFFIC_SHIFT: ECS invokes it before every step of a canary, and CloudFormation's
 * AWS::ECS::Service schema lists it in one region only. AfterAllowTraffic is POST_PRODUCTION_TRAFFIC_SHIFT.
 */
const CHECKPOINTS: Partial<Record<EcsLifecycleStage, { hooks: EcsHook[]; checkpoint: EcsHook }>> = {
  POST_TEST_TRAFFIC_SHIFT: { hooks: ["AfterAllowTestTraffic", "BeforeAllowTraffic"], checkpoint: "AfterAllowTestTraffic" },
  POST_PRODUCTION_TRAFFIC_SHIFT: { hooks: ["AfterAllowTraffic"], checkpoint: "AfterAllowTraffic" },
};

export type CheckKind = CanarySettings["hooks"]["AfterAllowTestTraffic"][number];

/**
 * The checks an ECS lifecycle stage runs, and the CodeDeploy hook whose place it takes (which listener reaches the
 * new version there). Stages without checks get none: the hook answers SUCCEEDED at once. Pure.
 */
export function checksAt(stage: EcsLifecycleStage, hooks: CanarySettings["hooks"]): { checkpoint: EcsHook; kinds: CheckKind[] } | null {
  const place = CHECKPOINTS[stage];
  if (!place) return null;
  const kinds = [...new Set(place.hooks.flatMap((hook): readonly CheckKind[] => hooks[hook]))];
  return kinds.length ? { checkpoint: place.checkpoint, kinds } : null;
}

/** The stages the stack registers the hook for: those with checks, in ECS's order. */
export function stagesWithChecks(hooks: CanarySettings["hooks"]): EcsLifecycleStage[] {
  return ECS_LIFECYCLE_STAGES.filter((stage) => checksAt(stage, hooks) !== null);
}

const TrafficWeights = z.record(z.string(), z.number().check(z.gte(0)).check(z.lte(100)));

/** What ECS sends a Lambda lifecycle hook (the developer guide's payloads; hookDetails only when set). */
export const EcsHookEvent = z.looseObject({
  executionId: z.string().check(z.minLength(1)),
  lifecycleStage: z.enum(ECS_LIFECYCLE_STAGES),
  resourceArn: z.string().check(z.refine((arn) => parseServiceDeploymentArn(arn) !== null, "must be an ECS service deployment ARN")),
  executionDetails: z.looseObject({
    serviceArn: z.string().check(z.startsWith("arn:")),
    targetServiceRevisionArn: z.string().check(z.startsWith("arn:")),
    testTrafficWeights: TrafficWeights,
    productionTrafficWeights: TrafficWeights,
  }),
  hookDetails: z.optional(z.record(z.string(), z.unknown())),
});
export type EcsHookEvent = z.infer<typeof EcsHookEvent>;

/**
 * ECS re-invokes the hooks of its recurring stages (TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT) while it rolls
 * back, with the target (green) revision at 0 % and another revision at 100 % (the developer guide's "Lifecycle
 * hooks during rollback"). Only there do those weights mean a rollback: PRE_PRODUCTION_TRAFFIC_SHIFT shows the
 * same weights before any traffic has moved. A hook must never hold a rollback up.
 */
export function isRollingBack(event: EcsHookEvent): boolean {
  const { targetServiceRevisionArn, productionTrafficWeights, testTrafficWeights } = event.executionDetails;
  const weights =
    event.lifecycleStage === "PRODUCTION_TRAFFIC_SHIFT"
      ? productionTrafficWeights
      : event.lifecycleStage === "TEST_TRAFFIC_SHIFT"
        ? testTrafficWeights
        : null;
  if (!weights) return false;
  const others = Object.entries(weights).filter(([arn]) => arn !== targetServiceRevisionArn);
  return weights[targetServiceRevisionArn] === 0 && others.some(([, weight]) => weight === 100);
}
