import type { EcsHook } from "../release/appspec";
import { parseServiceDeploymentArn } from "../release/release-id";
import type { CanarySettings } from "../settings/canary";
import * as z from "../zod";
import { compareVersions, isError, sampleRound } from "./comparison";
import { checksAt, type EcsHookEvent, isRollingBack } from "./ecs-stages";
import type { HookTargets } from "./hook";
import type { EcsHookPorts, Exchange, HttpPort } from "./ports";
import { againstCurrent, runSmokeSuite } from "./smoke";
import { decideVerdict, type HookInvocation, type HookVerdict } from "./verdict";

/** What a Lambda lifecycle hook returns to ECS: anything else, or an error, rolls the deployment back. */
export interface EcsHookResponse {
  hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS";
  /** Seconds until ECS invokes the hook again (IN_PROGRESS only; ECS's default is 30). */
  callBackDelay?: number;
  /** Passed back on the next invocation of the same hook in the same deployment. */
  hookDetails?: Record<string, unknown>;
}

/** A hook's checks across invocations may take this long before it gives up (FAILED). */
export const ECS_HOOK_MAX_MINUTES = 30;
/** How soon ECS calls back while a comparison is under way. */
export const ECS_CALLBACK_SECONDS = 10;

const LATE = Symbol("late");

/** Our key in hookDetails, beside whatever the service's hook configuration passes. */
const STATE_KEY = "handsOffOps";

const Sample = z.strictObject({ latencies: z.array(z.number()), errors: z.number().check(z.int()).check(z.gte(0)) });
const HookState = z.strictObject({
  startedAt: z.number(),
  invocations: z.number().check(z.int()).check(z.gte(1)),
  firstDeployment: z.boolean(),
  smoke: z.nullable(
    z.array(
      z.strictObject({
        check: z.string(),
        passed: z.boolean(),
        detail: z.string(),
        attempts: z.number().check(z.int()),
        latencyMs: z.nullable(z.number()),
      }),
    ),
  ),
  /** Warm-up pairs sent so far (not counted in the comparison). */
  warmedUp: z.number().check(z.int()).check(z.gte(0)),
  green: Sample,
  blue: Sample,
});
type HookState = z.infer<typeof HookState>;
type Sample = z.infer<typeof Sample>;

export interface EcsHookResult {
  response: EcsHookResponse;
  /** The verdict once there is one (SUCCEEDED or FAILED after checks); null while IN_PROGRESS or without checks. */
  verdict: HookVerdict | null;
  invocation: HookInvocation;
  /** Why no check ran, when none did. */
  skipped: string | null;
}

/**
 * One invocation of the ECS lifecycle hook: the checks the settings give this stage (smoke, then the comparison
 * with the current version), within the time this invocation has. A comparison that needs longer returns
 * IN_PROGRESS with the requests so far in hookDetails, and goes on at the next invocation instead of racing the
 * Lambda deadline. Every error path ends in FAILED (ECS rolls back), never in a throw ECS would read the same way
 * without the reason.
 */
export async function runEcsHook(
  event: EcsHookEvent,
  settings: CanarySettings,
  targets: HookTargets,
  ports: EcsHookPorts,
  remainingMs: number,
): Promise<EcsHookResult> {
  const { releaseId } = parseServiceDeploymentArn(event.resourceArn) as { releaseId: string };
  const place = checksAt(event.lifecycleStage, settings.hooks);
  const invocation: HookInvocation = {
    hook: place?.checkpoint ?? "AfterAllowTestTraffic",
    deploymentId: releaseId,
    executionId: event.executionId,
    controller: "ecs",
    label: event.lifecycleStage,
  };
  const skip = (why: string): EcsHookResult => ({ response: { hookStatus: "SUCCEEDED" }, verdict: null, invocation, skipped: why });
  if (isRollingBack(event)) return skip("ECS is rolling the deployment back: no check may hold that up");
  if (!place) return skip(`no checks are configured for ${event.lifecycleStage}`);

  const now = ports.now();
  const carried = HookState.safeParse(event.hookDetails?.[STATE_KEY]);
  const finish = (verdict: HookVerdict): EcsHookResult => ({
    response: { hookStatus: verdict.status === "Succeeded" ? "SUCCEEDED" : "FAILED" },
    verdict,
    invocation,
    skipped: null,
  });
  try {
    const state: HookState = carried.success
      ? { ...carried.data, invocations: carried.data.invocations + 1 }
      : {
          startedAt: now,
          invocations: 1,
          // Only a comparison needs to know: smoke checks alone cost no call to ECS.
          firstDeployment: place.kinds.includes("compare") ? await ports.isFirstDeployment(event.resourceArn) : false,
          smoke: null,
          warmedUp: 0,
          green: { latencies: [], errors: 0 },
          blue: { latencies: [], errors: 0 },
        };
    if (now - state.startedAt > ECS_HOOK_MAX_MINUTES * 60_000)
      return finish(decideVerdict(place.checkpoint, { kind: "out-of-time", budgetMs: ECS_HOOK_MAX_MINUTES * 60_000 }));

    // At the budget the sampling stops (requests under way finish); half the reserve later the answer goes out,
    // whatever is still waiting: a smoke check that never answered, or a round's last requests.
    const budgetMs = Math.max(0, remainingMs - settings.reserveSeconds * 1000);
    const stop = new AbortController();
    const timers = new AbortController();
    const late = ports
      .sleep(budgetMs, timers.signal)
      .then(() => {
        stop.abort();
        return ports.sleep((settings.reserveSeconds * 1000) / 2, timers.signal);
      })
      .then(() => LATE);
    try {
      const outcome = await Promise.race([advance(place, state, settings, targets, ports.http, stop.signal, finish), late]);
      if (typeof outcome !== "symbol") return outcome;
      // Out of time before the smoke checks answered: as the CodeDeploy hooks do, that fails. Later, the sample so far is kept.
      if (state.smoke === null && place.kinds.includes("smoke"))
        return finish(decideVerdict(place.checkpoint, { kind: "out-of-time", budgetMs }));
      return inProgress(state);
    } finally {
      timers.abort();
      stop.abort();
    }
  } catch (error) {
    return finish(decideVerdict(place.checkpoint, { kind: "error", message: `${(error as Error).name}: ${(error as Error).message}` }));
  }

  async function advance(
    { checkpoint, kinds }: NonNullable<ReturnType<typeof checksAt>>,
    state: HookState,
    canary: CanarySettings,
    { testUrl, productionUrl }: HookTargets,
    http: HttpPort,
    signal: AbortSignal,
    done: (verdict: HookVerdict) => EcsHookResult,
  ): Promise<EcsHookResult> {
    // Once production traffic has moved, the production listener is where the new version serves users.
    const newVersionUrl = checkpoint === "AfterAllowTraffic" ? productionUrl : testUrl;
    if (kinds.includes("smoke") && state.smoke === null) {
      const smoke = await runSmokeSuite(canary.smoke, http, {
        baseUrl: newVersionUrl,
        retries: canary.warmup.retries,
        minDelayMs: canary.warmup.minDelayMs,
        signal,
      });
      state.smoke = smoke;
      // Before production traffic moves (and where there is a current version), does the current one fail them too?
      if (smoke.some((result) => !result.passed) && checkpoint !== "AfterAllowTraffic" && !state.firstDeployment) {
        const current = await againstCurrent(canary.smoke, smoke, http, productionUrl, signal);
        return done(decideVerdict(checkpoint, { kind: "checked", smoke, comparison: null, current }));
      }
      if (smoke.some((result) => !result.passed) || !kinds.includes("compare"))
        return done(decideVerdict(checkpoint, { kind: "checked", smoke, comparison: null }));
    }
    if (state.firstDeployment) return done(firstDeploymentVerdict(checkpoint, state.smoke));

    const urls = { greenUrl: testUrl, blueUrl: productionUrl, signal };
    if (state.warmedUp < canary.comparison.warmupRequests) {
      // Not counted: the new tasks' first requests measure their start, not the version.
      const warmup = await sampleRound(http, canary.comparison, urls, canary.comparison.warmupRequests - state.warmedUp);
      state.warmedUp += warmup.green.length;
      if (state.warmedUp < canary.comparison.warmupRequests) return inProgress(state);
    }
    const missing = canary.comparison.requests - state.green.latencies.length - state.green.errors;
    const round = await sampleRound(http, canary.comparison, urls, missing);
    state.green = addTo(state.green, round.green);
    state.blue = addTo(state.blue, round.blue);
    if (state.green.latencies.length + state.green.errors < canary.comparison.requests) return inProgress(state);
    const comparison = compareVersions(exchanges(state.green), exchanges(state.blue), canary.comparison);
    return done(decideVerdict(checkpoint, { kind: "checked", smoke: state.smoke, comparison }));
  }

  function inProgress(state: HookState): EcsHookResult {
    return {
      response: { hookStatus: "IN_PROGRESS", callBackDelay: ECS_CALLBACK_SECONDS, hookDetails: { [STATE_KEY]: state } },
      verdict: null,
      invocation,
      skipped: null,
    };
  }
}

/** The service's first deployment has no current version to compare with: its smoke checks (if any) decide. */
function firstDeploymentVerdict(checkpoint: EcsHook, smoke: HookVerdict["smoke"]): HookVerdict {
  const checked = smoke ? `${smoke.length} smoke checks passed; ` : "";
  return {
    hook: checkpoint,
    status: "Succeeded",
    reason: `${checked}no comparison: this is the service's first deployment, there is no current version to compare with`,
    smoke,
    comparison: null,
  };
}

/** Only what the comparison reads: latencies of answered requests and the count of errors (lossless for it). */
function addTo(sample: Sample, exchanges: readonly Exchange[]): Sample {
  const latencies = exchanges.filter((e) => !isError(e)).map((e) => Math.round(e.latencyMs * 10) / 10);
  return { latencies: [...sample.latencies, ...latencies], errors: sample.errors + exchanges.filter(isError).length };
}

function exchanges(sample: Sample): Exchange[] {
  return [
    ...sample.latencies.map((latencyMs): Exchange => ({ kind: "response", status: 200, body: "", latencyMs })),
    ...Array.from(
      { length: sample.errors },
      (): Exchange => ({ kind: "failure", reason: "counted in an earlier invocation", latencyMs: 0 }),
    ),
  ];
}
