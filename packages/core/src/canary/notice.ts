import { subjects } from "../chatops/tickets";
import type { AutomationNotice } from "../notify/sources/automation";
import { formatP } from "./stats";
import type { HookInvocation, HookVerdict } from "./verdict";

const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : "—");

/** A verdict as a reply in the release's thread, with its evidence: checks, samples, rates, p-values, thresholds. */
export function verdictNotice(
  stage: string,
  invocation: HookInvocation,
  verdict: HookVerdict,
  alpha: number,
  blueWaitMinutes = 0,
): AutomationNotice {
  const passed = verdict.status === "Succeeded";
  const notReady = !passed && verdict.stageNotReady === true;
  // After AllowTraffic users are on the new version; the previous one's tasks wait, ready for an instant switch back.
  const blueKept = passed && invocation.hook === "AfterAllowTraffic" && blueWaitMinutes > 0;
  const release = subjects.release(invocation.deploymentId);
  const hookName = invocation.label ?? invocation.hook;
  const facts: { label: string; value: string }[] = [{ label: "Hook", value: hookName }];
  for (const result of verdict.smoke ?? []) {
    facts.push({
      label: `${result.passed ? "✓" : "✗"} ${result.check}`.slice(0, 60),
      value: `${result.detail} (${result.attempts} ${result.attempts === 1 ? "attempt" : "attempts"})`,
    });
  }
  const comparison = verdict.comparison;
  if (comparison) {
    const { green, blue } = comparison;
    facts.push(
      { label: "Sample", value: `${green.requests} requests to each version` },
      {
        label: "Errors new / current",
        value: `${green.errors} (${percent(green.errorRate)}) / ${blue.errors} (${percent(blue.errorRate)}), Fisher p ${formatP(comparison.errorRateP)}`,
      },
      {
        label: "p95 new / current",
        value: `${ms(green.p95Ms)} / ${ms(blue.p95Ms)}, Mann-Whitney p ${formatP(comparison.latencyP)}`,
      },
      { label: "Significance", value: `α = ${alpha}` },
    );
  }
  return {
    stage,
    actor: "canary-hook",
    // The stage not ready is no verdict on the release: a warning, not a page against it.
    severity: passed ? "info" : notReady ? "warning" : "critical",
    title: `${hookName} ${passed ? "passed" : "failed"} for release ${invocation.deploymentId}${notReady ? ": the stage is not ready, not the release" : ""}`,
    summary: capitalize(verdict.reason).slice(0, 2500),
    facts: facts.slice(0, 10).map((f) => ({ label: f.label, value: f.value.slice(0, 2000) })),
    actionsTaken: [
      invocation.controller === "ecs" ? ecsAction(passed, blueKept, blueWaitMinutes) : codeDeployAction(passed, blueKept, blueWaitMinutes),
    ],
    // Finish now is CodeDeploy's ContinueDeployment; ECS's bake time has no such call.
    ...(blueKept && invocation.controller !== "ecs"
      ? {
          offers: [
            { action: "finish-now" as const, subject: release, label: "Finish now" },
            { action: "roll-back" as const, subject: release, label: "Roll back" },
          ],
        }
      : {}),
    nextStep: passed
      ? null
      : notReady
        ? "Release again once the stage answers /ready: a stage woken by its schedule or for a deploy starts its database first (a few minutes, docs/schedule.md). Nothing here points at the release."
        : "Read the failing check or regression above; fix it and release again.",
    thread: { deploymentId: invocation.deploymentId, role: "reply" },
    // A failed verdict is a step of the release's incident: the alarm that fires on the same release joins it.
    ...(passed
      ? {}
      : {
          incident: {
            role: "step" as const,
            key: `release:${invocation.deploymentId}`,
            did: `${hookName} failed; reported Failed to ${invocation.controller === "ecs" ? "ECS" : "CodeDeploy"}, which stops the release and rolls back.`,
            escalates: false,
            deployments: [{ deploymentId: invocation.deploymentId, part: "bad-release" as const }],
            handled: true,
          },
        }),
  };
}

function codeDeployAction(passed: boolean, blueKept: boolean, blueWaitMinutes: number): string {
  if (blueKept)
    return `Reported Succeeded to CodeDeploy: users are on the new version; the previous version's tasks are kept ${blueWaitMinutes} min for an instant switch back.`;
  return passed
    ? "Reported Succeeded to CodeDeploy: the release goes on."
    : "Reported Failed to CodeDeploy: it stops the release and rolls back.";
}

/** What the hook's answer to ECS does (the developer guide's hookStatus values). */
function ecsAction(passed: boolean, blueKept: boolean, bakeMinutes: number): string {
  if (blueKept)
    return `Returned SUCCEEDED to ECS: users are on the new version; ECS keeps the previous revision ${bakeMinutes} min (its bake time) and rolls back if a release alarm fires.`;
  return passed
    ? "Returned SUCCEEDED to ECS: the release goes on."
    : "Returned FAILED to ECS: it rolls the release back to the previous revision.";
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
