import type { AutomationMode, RollbackSettings } from "../settings/schema";
import { type StageWorker, workerOfAlarm } from "../settings/workers";
import { humanDuration } from "../text/duration";
import type { AlarmFacts } from "./alarm";
import { type AlarmNow, staleAlarm } from "./present";

/**
 * Whether an alarm calls for an automatic rollback, and which: a pure
 * function of the alarm, what CodeDeploy and the ledger say, the settings and
 * the clock. Every variant names what will be done and why, so the same value
 * drives the AWS calls, the audit record and the message.
 */

/** How an automatic rollback describes itself, so that the next decision recognises it. */
export const AUTOMATIC_ROLLBACK_PREFIX = "Automatic rollback";

export interface DeploymentFacts {
  deploymentId: string;
  taskDefinitionArn: string;
  /** When it started (in progress) or finished (succeeded). */
  at: Date;
  /** One of ours: an automatic rollback. */
  automaticRollback: boolean;
}

export interface RollbackFacts {
  inProgress: DeploymentFacts | null;
  /** The latest successful deployment, and the one before it. */
  lastSuccess: DeploymentFacts | null;
  previousSuccess: DeploymentFacts | null;
  /** Automatic rollbacks already started (or, in dry-run, already decided), newest first (from the ledger). */
  recentRollbacks: RecordedRollback[];
}

/** What an alarm's decision reads: the releases, the ledger, and the alarm itself as CloudWatch has it now. */
export interface AlarmRollbackFacts extends RollbackFacts {
  alarmNow: AlarmNow | null;
}

export interface RecordedRollback {
  badDeploymentId: string;
  at: Date;
  /** A rollback dry-run decided and did not carry out. */
  dryRun?: boolean;
}

export interface RollbackPolicy extends RollbackSettings {
  mode: AutomationMode;
  bakeWindowMinutes: number;
  /** The stage's time zone: the times its reasons give read in it, with UTC beside. */
  timeZone: string;
  /**
   * The alarms (full names) the release's controller watches itself, CodeDeploy's deployment group or ECS's
   * deployment alarms: on them it stops a running release and rolls it back without the automation.
   */
  releaseAlarms: readonly string[];
  /**
   * The stage's workers and their own alarms (stacks/workers.ts): ECS watches those for the worker's rolling
   * deployments and rolls them back itself; they never blame a release of the public service.
   */
  workers: readonly StageWorker[];
}

export type NoRollbackReason =
  | "not-an-alarm"
  | "not-a-release-alarm"
  /** The alarm is a worker's own: not the public service's releases' doing; ECS rolls the worker's deployment back itself. */
  | "worker-alarm"
  | "rollback-in-flight"
  /** The event no longer speaks for the alarm: it is not in ALARM now, or changed state after the event (present.ts). */
  | "stale-alarm"
  | "no-recent-release"
  | "outside-bake-window"
  | "already-rolled-back"
  | "no-previous-version"
  | "would-roll-forward"
  | "cooldown"
  | "daily-cap"
  /** A person asked to roll back a release another one has replaced since. */
  | "superseded";

/**
 * Reasons for which a release is to blame but a guard held the automation back: a person must decide (the
 * incident escalates). The others say the alarm is not a release's doing, or a rollback is already under way.
 */
export const HELD_BACK: ReadonlySet<NoRollbackReason> = new Set([
  "already-rolled-back",
  "no-previous-version",
  "would-roll-forward",
  "cooldown",
  "daily-cap",
]);

export type RollbackDecision =
  | {
      action: "stop-deployment";
      deploymentId: string;
      why: string;
      dryRun: boolean;
      /** The release's controller watches the alarm and stops the release itself (a person's request: false). */
      controllerStops: boolean;
    }
  | { action: "redeploy-previous"; badDeploymentId: string; from: string; to: string; why: string; dryRun: boolean }
  | {
      action: "none";
      reason: NoRollbackReason;
      why: string;
      /** The worker whose own alarm it is (reason worker-alarm): its incident, not the public service's. */
      worker?: string;
      /**
       * Held back by the cooldown or the daily cap from a rollback the facts call for: the release serving (from) and
       * the version before it (to), so that a person can do it by hand.
       */
      heldBack?: { badDeploymentId: string; from: string; to: string };
    };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why an alarm cannot blame a release whatever the facts, or null when the facts decide. */
export function cannotBlameARelease(alarm: AlarmFacts, policy: RollbackPolicy): RollbackDecision | null {
  if (alarm.state !== "ALARM") return { action: "none", reason: "not-an-alarm", why: `${alarm.alarmId} went to ${alarm.state}, not ALARM` };
  // Before the alarm list: a worker's alarm named there too still cannot blame the public service's release.
  const worker = workerOfAlarm(policy.workers, alarm.alarmName);
  if (worker)
    return {
      action: "none",
      reason: "worker-alarm",
      why: `${alarm.alarmId} is an alarm of worker "${worker.name}", not of the public service: no release of the public service is to blame. ECS's deployment alarms of "${worker.name}" include it, so ECS itself rolls back a deployment of "${worker.name}" that is running when it fires`,
      worker: worker.name,
    };
  if (!policy.alarms.includes(alarm.alarmId))
    return {
      action: "none",
      reason: "not-a-release-alarm",
      why: `${alarm.alarmId} is not one of the alarms that can blame a release (${policy.alarms.join(", ")})`,
    };
  return null;
}

export function decideRollback(alarm: AlarmFacts, facts: AlarmRollbackFacts, policy: RollbackPolicy, now: Date): RollbackDecision {
  const none = (reason: NoRollbackReason, why: string): RollbackDecision => ({ action: "none", reason, why });
  const dryRun = policy.mode === "dry-run";
  const excluded = cannotBlameARelease(alarm, policy);
  if (excluded) return excluded;
  const stale = staleAlarm(alarm, facts.alarmNow, policy.timeZone);
  if (stale) return stale;

  if (facts.inProgress?.automaticRollback)
    return none("rollback-in-flight", `automatic rollback ${facts.inProgress.deploymentId} is still in progress`);
  if (facts.inProgress) {
    return {
      action: "stop-deployment",
      deploymentId: facts.inProgress.deploymentId,
      why: `${alarm.alarmId} fired while release ${facts.inProgress.deploymentId} was in progress`,
      dryRun,
      controllerStops: policy.releaseAlarms.includes(alarm.alarmName),
    };
  }

  const bad = facts.lastSuccess;
  if (!bad) return none("no-recent-release", "no release has succeeded yet: nothing to roll back to");
  if (bad.automaticRollback) return none("rollback-in-flight", `the latest release, ${bad.deploymentId}, is itself an automatic rollback`);
  const sinceRelease = alarm.at.getTime() - bad.at.getTime();
  if (sinceRelease > policy.bakeWindowMinutes * 60_000)
    return none(
      "outside-bake-window",
      `the latest release, ${bad.deploymentId}, finished ${humanDuration(sinceRelease)} before the alarm, outside the ${policy.bakeWindowMinutes}-minute bake window: not a release problem`,
    );
  const guarded = guardRedeploy(bad, facts, policy, now);
  if (guarded.action === "none") return guarded;
  return {
    ...guarded,
    why: `${alarm.alarmId} fired ${humanDuration(sinceRelease)} after release ${bad.deploymentId} finished, inside the ${policy.bakeWindowMinutes}-minute bake window`,
  };
}

/**
 * A person asked, from the release's thread, to roll that release back. A person's word blames the release (no
 * alarm list, no bake window), and everything else guards it as it guards the automation: a release in progress is
 * stopped with rollback; a finished one is redeployed back to the one before it, once, within the cooldown and the
 * daily cap, never forward, never over a rollback in flight. A release that is no longer the current one is left.
 */
export function decideRollBackByHand(
  deploymentId: string,
  requestedBy: string,
  facts: RollbackFacts,
  policy: RollbackPolicy,
  now: Date,
): RollbackDecision {
  const none = (reason: NoRollbackReason, why: string): RollbackDecision => ({ action: "none", reason, why });
  const dryRun = policy.mode === "dry-run";
  const { inProgress, lastSuccess } = facts;
  if (inProgress?.automaticRollback)
    return none("rollback-in-flight", `automatic rollback ${inProgress.deploymentId} is still in progress`);
  if (inProgress)
    return inProgress.deploymentId === deploymentId
      ? {
          action: "stop-deployment",
          deploymentId,
          why: `${requestedBy} asked to roll back release ${deploymentId} while it was in progress`,
          dryRun,
          controllerStops: false,
        }
      : none("superseded", `release ${deploymentId} is no longer the current one: ${inProgress.deploymentId} is in progress`);
  if (!lastSuccess) return none("no-recent-release", `release ${deploymentId} did not succeed: there is nothing to roll back`);
  if (lastSuccess.deploymentId !== deploymentId)
    return none("superseded", `release ${deploymentId} is no longer the current one: ${lastSuccess.deploymentId} succeeded after it`);
  const guarded = guardRedeploy(lastSuccess, facts, policy, now);
  if (guarded.action === "none") return guarded;
  return { ...guarded, why: `${requestedBy} asked to roll back release ${deploymentId}` };
}

/** The guards on redeploying the version before a finished release, shared by the automation and a person's request. */
function guardRedeploy(
  bad: DeploymentFacts,
  facts: RollbackFacts,
  policy: RollbackPolicy,
  now: Date,
): Extract<RollbackDecision, { action: "none" }> | Omit<Extract<RollbackDecision, { action: "redeploy-previous" }>, "why"> {
  const none = (reason: NoRollbackReason, why: string) => ({ action: "none" as const, reason, why });
  const dryRun = policy.mode === "dry-run";
  // Dry-run rehearses enforce: its own "would have" rollbacks count for the cooldown, the cap and "already rolled
  // back", so that it pages as often as enforce would. Enforce counts only real ones: a rehearsal never blocks it.
  const rollbacks = facts.recentRollbacks.filter((r) => dryRun || !r.dryRun);
  const wouldHave = (r: RecordedRollback) => (r.dryRun ? "would have been rolled back (dry-run)" : "has already been rolled back");
  const earlier = rollbacks.find((r) => r.badDeploymentId === bad.deploymentId);
  if (earlier) return none("already-rolled-back", `release ${bad.deploymentId} ${wouldHave(earlier)} once`);
  const previous = facts.previousSuccess;
  if (!previous) return none("no-previous-version", `release ${bad.deploymentId} is the first: there is no earlier version`);
  if (revisionOf(previous.taskDefinitionArn) >= revisionOf(bad.taskDefinitionArn))
    return none("would-roll-forward", `${previous.taskDefinitionArn} is not older than the bad ${bad.taskDefinitionArn}`);
  // Past these guards the rollback itself is known: a person is told which, to do it by hand.
  const heldBack = { badDeploymentId: bad.deploymentId, from: bad.taskDefinitionArn, to: previous.taskDefinitionArn };
  const last = rollbacks[0];
  if (last && now.getTime() - last.at.getTime() < policy.cooldownMinutes * 60_000)
    return {
      ...none(
        "cooldown",
        `the last automatic rollback was ${humanDuration(now.getTime() - last.at.getTime())} ago (cooldown ${policy.cooldownMinutes} min)`,
      ),
      heldBack,
    };
  const today = rollbacks.filter((r) => now.getTime() - r.at.getTime() < DAY_MS).length;
  if (today >= policy.dailyCap)
    return { ...none("daily-cap", `${today} automatic rollbacks in the last 24 h (cap ${policy.dailyCap})`), heldBack };
  return {
    action: "redeploy-previous",
    badDeploymentId: bad.deploymentId,
    from: bad.taskDefinitionArn,
    to: previous.taskDefinitionArn,
    dryRun,
  };
}

/** The revision number at the end of a task definition ARN (…:task-definition/family:42 → 42). */
export function revisionOf(taskDefinitionArn: string): number {
  const revision = Number(taskDefinitionArn.split(":").at(-1));
  if (!Number.isInteger(revision)) throw new Error(`Not a task definition revision ARN: ${taskDefinitionArn}`);
  return revision;
}
