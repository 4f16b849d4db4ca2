import type { EcsHook } from "../release/appspec";
import type { ComparisonVerdict } from "./comparison";
import type { HookStatus } from "./ports";
import type { SmokeResult } from "./smoke";

export interface HookInvocation {
  /** The CodeDeploy hook, or under ECS the one whose place its lifecycle stage takes (ecs-stages.ts). */
  hook: EcsHook;
  deploymentId: string;
  executionId: string;
  /** Who runs the release; CodeDeploy unless said. */
  controller?: "codedeploy" | "ecs";
  /** The name the release's thread shows for the hook (ECS's lifecycle stage); the hook's own otherwise. */
  label?: string;
}

export interface HookVerdict {
  hook: EcsHook;
  status: HookStatus;
  /** One sentence: why this status. */
  reason: string;
  smoke: SmokeResult[] | null;
  comparison: ComparisonVerdict | null;
  /** The checks passed and the verdict was left to a person (the approval gate): nothing reported yet. */
  waiting?: true;
  /** Failed on smoke checks the current version fails too: the stage is not ready, nothing points at the release. */
  stageNotReady?: true;
}

export type HookOutcome =
  | {
      kind: "checked";
      smoke: SmokeResult[] | null;
      comparison: ComparisonVerdict | null;
      /** The failed smoke checks run once against the current version (smoke.ts againstCurrent), where that was asked. */
      current?: SmokeResult[];
    }
  | { kind: "out-of-time"; budgetMs: number }
  | { kind: "error"; message: string };

/** The verdict of a hook from what its checks found. Pure; every path ends in Succeeded or Failed. */
export function decideVerdict(hook: EcsHook, outcome: HookOutcome): HookVerdict {
  if (outcome.kind === "out-of-time")
    return failed(hook, `the checks did not finish within ${Math.round(outcome.budgetMs / 1000)} s, the time left before the deadline`);
  if (outcome.kind === "error") return failed(hook, `the hook itself failed: ${outcome.message}`);
  const { smoke, comparison } = outcome;
  const failedChecks = (smoke ?? []).filter((r) => !r.passed);
  const problems = [
    ...failedChecks.map((r) => `smoke check "${r.check}" failed: ${r.detail}`),
    ...(comparison?.regressions ?? []).map((r) => `the new version regressed: ${r}`),
  ];
  const alsoOnCurrent = (outcome.current ?? []).filter((r) => !r.passed);
  if (failedChecks.length && failedChecks.every((f) => alsoOnCurrent.some((c) => c.check === f.check))) {
    // Still Failed (the new version could not be shown to work), but told as what it is.
    const them = failedChecks.length === 1 ? "it" : "them";
    const seen = alsoOnCurrent.map((c) => c.detail).join("; ");
    const reason = `${problems.join("; ")}; the current version fails ${them} too (${seen}): the stage itself is not ready, as while it is still waking and its database starting, not the new version`;
    return { hook, status: "Failed", reason, smoke, comparison, stageNotReady: true };
  }
  if (problems.length) return { hook, status: "Failed", reason: problems.join("; "), smoke, comparison };
  if (!smoke && !comparison) return { hook, status: "Succeeded", reason: `no checks are configured for ${hook}`, smoke, comparison };
  const done = [
    smoke ? `${smoke.length} smoke checks passed` : null,
    comparison ? "the comparison with the current version found no regression" : null,
  ];
  return { hook, status: "Succeeded", reason: done.filter(Boolean).join("; "), smoke, comparison };
}

function failed(hook: EcsHook, reason: string): HookVerdict {
  return { hook, status: "Failed", reason, smoke: null, comparison: null };
}
