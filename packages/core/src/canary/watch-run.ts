import { ACTIVE_DEPLOYMENT_STATUSES } from "../release/progress";
import type { AutomationMode, CanarySettings } from "../settings/schema";
import type { WatchPorts } from "./ports";
import type { WatchDecision } from "./watch";
import { confirmRegression, decideWindow } from "./watch-window";

export interface WatchContext {
  stage: string;
  /** Who runs the releases: the stop goes to it, and the message names it. */
  controllerName: "CodeDeploy" | "ECS";
  mode: AutomationMode;
  settings: CanarySettings;
  /** cluster:service, the CodeDeploy target id of the service. */
  targetId: string;
  /** Target group name → the full name CloudWatch uses as dimension. */
  targetGroups: Record<string, string>;
}

export type WatchTick =
  | { kind: "finished"; status: string }
  | { kind: "no-canary-traffic" }
  | {
      kind: "watched";
      polls: number;
      last: WatchDecision;
      source: WatchSource;
      revisionsUnknown?: string;
      fastPathError?: string;
      /** The service's periods regressed once and no later window has confirmed it yet (confirmRegression). */
      unconfirmed?: string[];
    }
  | { kind: "stopped" | "would-stop" | "already-finished"; reasons: string[] };

/** Whose figures the last decision judged 5xx on: the service's per-revision 10-s periods, or the load balancer's minutes. */
export type WatchSource = "service" | "load balancer";

/**
 * One scheduled minute of watching a release: poll the two target groups'
 * metrics every pollSeconds until the minute is used up (and, when the service
 * writes them and both revisions have data, its own per-revision counts in
 * 10-s periods: the fast path, judged by the same decision); on a regression stop
 * the deployment with rollback (or, in dry-run, say that it would have), tell
 * on-call with the evidence, and stop watching.
 */
export async function watchForAMinute(
  deploymentId: string,
  context: WatchContext,
  ports: WatchPorts,
  budgetMs: number,
): Promise<WatchTick> {
  const status = await ports.deployments.status(deploymentId);
  if (!(ACTIVE_DEPLOYMENT_STATUSES as readonly string[]).includes(status)) {
    await ports.schedules.stop(deploymentId);
    return { kind: "finished", status };
  }
  const sets = await ports.deployments.taskSets(deploymentId, context.targetId);
  if (!sets || sets.greenTrafficPercent === 0) return { kind: "no-canary-traffic" };
  const green = context.targetGroups[sets.greenTargetGroup];
  const blue = context.targetGroups[sets.blueTargetGroup];
  if (!green || !blue) throw new Error(`Unknown target groups ${sets.greenTargetGroup} / ${sets.blueTargetGroup}: not this service's`);

  const pollMs = context.settings.watch.pollSeconds * 1000;
  const polls = Math.max(1, Math.floor(budgetMs / pollMs));
  let last: WatchDecision = { kind: "not-enough-traffic", reason: "not polled yet" };
  let source: WatchSource = "load balancer";
  let fastPathError: string | undefined;
  let pending: number | null = null;
  let unconfirmed: string[] | undefined;
  // The fast path is an addition: its failure (throttled, refused) leaves the load balancer's judgement as it was.
  const readFast = async (revisions: { green: string; blue: string }, now: Date) =>
    ports.revisionMetrics?.window(revisions, context.settings.watch, now).catch((error: unknown) => {
      fastPathError = error instanceof Error ? error.message : String(error);
      return null;
    }) ?? null;
  for (let poll = 1; poll <= polls; poll++) {
    const now = ports.now();
    const [window, fast] = await Promise.all([
      ports.metrics.window({ green, blue }, context.settings.watch, now),
      sets.revisions ? readFast(sets.revisions, now) : null,
    ]);
    // The load balancer's window is judged at every poll (it alone has latency); the service's, when both revisions
    // have data, judges 5xx within seconds instead of minutes.
    const balancer = decideWindow(window, context.settings);
    const service = fast ? decideWindow(fast, context.settings) : null;
    source = service ? "service" : "load balancer";
    // A regression of the service's periods stops the release once a later window confirms it; the load balancer's
    // minutes, one test a minute, stop it at once.
    const judged: ReturnType<typeof confirmRegression> =
      fast && service ? confirmRegression(pending, fast, service) : { confirmed: false, pending: null };
    pending = judged.pending;
    const serviceReasons = service?.kind === "regression" ? service.reasons.map((r) => `service metrics, 10-s periods: ${r}`) : [];
    unconfirmed = serviceReasons.length && !judged.confirmed ? serviceReasons : undefined;
    const balancerReasons = balancer.kind === "regression" ? balancer.reasons : [];
    // Once the release stops, whichever confirmed it, the service's evidence goes with it.
    const reasons = [...(judged.confirmed || balancerReasons.length ? serviceReasons : []), ...balancerReasons];
    last = reasons.length ? { kind: "regression", reasons } : service?.kind === "regression" ? balancer : (service ?? balancer);
    if (last.kind === "regression") return act(deploymentId, last.reasons, sets.greenTrafficPercent, context, ports);
    if (poll < polls) await ports.sleep(pollMs);
  }
  return {
    kind: "watched",
    polls,
    last,
    source,
    ...(sets.revisionsUnknown ? { revisionsUnknown: sets.revisionsUnknown } : {}),
    ...(fastPathError ? { fastPathError } : {}),
    ...(unconfirmed ? { unconfirmed } : {}),
  };
}

async function act(
  deploymentId: string,
  reasons: string[],
  greenPercent: number,
  context: WatchContext,
  ports: WatchPorts,
): Promise<WatchTick> {
  const dryRun = context.mode === "dry-run";
  const outcome = dryRun ? "would-stop" : await ports.deployments.stopWithRollback(deploymentId);
  // Decided once: whether stopped, already finished or only reported, this release is not watched again.
  await ports.schedules.stop(deploymentId);
  if (outcome !== "already-finished") {
    await ports.notify({
      stage: context.stage,
      actor: "canary-watch",
      severity: "critical",
      title: `Canary of release ${deploymentId} regressed: release stopped`,
      summary: `With ${greenPercent} % of real traffic on the new version, its metrics are worse than the current version's: ${reasons.join("; ")}.`,
      facts: reasons.map((reason, i) => ({ label: `Regression ${i + 1}`, value: reason.slice(0, 2000) })),
      actionsTaken: [`Stopped the ${context.controllerName} deployment with rollback: traffic goes back to the previous version.`],
      nextStep: "Compare the new version's logs with the previous one's around the time of this message; fix and release again.",
      dryRun,
      thread: { deploymentId, role: "reply" },
    });
  }
  return { kind: outcome, reasons };
}
