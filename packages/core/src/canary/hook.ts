import type { ApprovalRequest } from "../chatops/gate";
import type { EcsHook } from "../release/appspec";
import type { CanarySettings } from "../settings/schema";
import { compareVersions, sampleBoth } from "./comparison";
import { verdictNotice } from "./notice";
import type { HookPorts, HookStatus, HttpPort } from "./ports";
import { againstCurrent, runSmokeSuite } from "./smoke";
import { decideVerdict, type HookInvocation, type HookOutcome, type HookVerdict } from "./verdict";

/**
 * The approval gate at this hook (settings canary.approval, once Slack is connected): checks that pass leave the
 * verdict to a person. `ask` sends the request (chatops/gate.ts); the hook then reports nothing itself.
 */
export interface HookGate {
  stage: string;
  deadlineMinutes: number;
  onDeadline: HookStatus;
  ask(request: ApprovalRequest): Promise<void>;
}

export interface HookTargets {
  /** The test listener: the new (green) tasks, from AfterAllowTestTraffic on. */
  testUrl: string;
  /** The production listener: the current (blue) tasks until AllowTraffic, the new ones after it. */
  productionUrl: string;
}

/**
 * Runs a lifecycle hook's checks within the time the Lambda has left (minus
 * the reserve) and reports exactly one verdict to CodeDeploy, whatever
 * happens: checks failing, a bug, an exception, or the deadline coming first.
 * A hook that never reports would stall the release for an hour.
 */
export async function runHook(
  invocation: HookInvocation,
  settings: CanarySettings,
  targets: HookTargets,
  ports: HookPorts,
  remainingMs: number,
  gate: HookGate | null = null,
): Promise<HookVerdict> {
  const budgetMs = Math.max(0, remainingMs - settings.reserveSeconds * 1000);
  const stop = new AbortController();
  let verdict: HookVerdict;
  try {
    const outcome = await Promise.race([
      check(invocation.hook, settings, targets, ports.http, stop.signal),
      ports.sleep(budgetMs, stop.signal).then((): HookOutcome => ({ kind: "out-of-time", budgetMs })),
    ]);
    verdict = decideVerdict(invocation.hook, outcome);
  } catch (error) {
    verdict = decideVerdict(invocation.hook, { kind: "error", message: `${(error as Error).name}: ${(error as Error).message}` });
  } finally {
    // Whatever won the race, nothing keeps running or waiting after the verdict.
    stop.abort();
  }
  if (gate && verdict.status === "Succeeded") {
    try {
      await gate.ask({
        stage: gate.stage,
        deploymentId: invocation.deploymentId,
        executionId: invocation.executionId,
        hook: invocation.hook,
        deadlineMinutes: gate.deadlineMinutes,
        onDeadline: gate.onDeadline,
        evidence: verdictNotice(gate.stage, invocation, verdict, settings.comparison.alpha),
      });
      return { ...verdict, waiting: true };
    } catch (error) {
      verdict = {
        ...verdict,
        status: "Failed",
        reason: `the checks passed, but approval could not be asked for: ${(error as Error).name}: ${(error as Error).message}`,
      };
    }
  }
  await ports.report(invocation.deploymentId, invocation.executionId, verdict.status);
  return verdict;
}

/** Smoke checks first: comparing a new version that fails them would only delay the verdict. */
async function check(
  hook: EcsHook,
  settings: CanarySettings,
  targets: HookTargets,
  http: HttpPort,
  signal: AbortSignal,
): Promise<HookOutcome> {
  const kinds: readonly string[] = settings.hooks[hook];
  // Once production traffic has moved, the production listener is where the new version serves users.
  const newVersionUrl = hook === "AfterAllowTraffic" ? targets.productionUrl : targets.testUrl;
  const smoke = kinds.includes("smoke")
    ? await runSmokeSuite(settings.smoke, http, {
        baseUrl: newVersionUrl,
        retries: settings.warmup.retries,
        minDelayMs: settings.warmup.minDelayMs,
        signal,
      })
    : null;
  // Before production traffic moves, the production listener still serves the current version: does it fail them too?
  if (smoke?.some((result) => !result.passed) && hook !== "AfterAllowTraffic") {
    const current = await againstCurrent(settings.smoke, smoke, http, targets.productionUrl, signal);
    return { kind: "checked", smoke, comparison: null, current };
  }
  if (smoke?.some((result) => !result.passed) || !kinds.includes("compare")) return { kind: "checked", smoke, comparison: null };
  const { green, blue } = await sampleBoth(http, settings.comparison, {
    greenUrl: targets.testUrl,
    blueUrl: targets.productionUrl,
    signal,
  });
  return { kind: "checked", smoke, comparison: compareVersions(green, blue, settings.comparison) };
}

export interface ApprovalAsker {
  ask(request: ApprovalRequest): Promise<void>;
}
