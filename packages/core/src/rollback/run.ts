import type { RollbackDeploymentsPort } from "../aws/rollback-deployments";
import type { RollbackLedgerPort } from "../aws/rollback-ledger";
import type { AutomationNotice } from "../notify/sources/automation";
import {
  type AlarmFacts,
  AUTOMATIC_ROLLBACK_PREFIX,
  cannotBlameARelease,
  decideRollback,
  type RollbackDecision,
  type RollbackPolicy,
} from "./decide";

export interface RollbackPorts {
  deployments: RollbackDeploymentsPort;
  ledger: RollbackLedgerPort;
  notify(notice: AutomationNotice): Promise<void>;
}

export type RollbackOutcome =
  | { kind: "stopped" | "already-finished" | "would-stop"; deploymentId: string }
  | { kind: "rolled-back"; badDeploymentId: string; rollbackDeploymentId: string }
  | { kind: "would-roll-back" | "claimed-elsewhere"; badDeploymentId: string }
  | { kind: "nothing" }
  | { kind: "failed"; error: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One alarm: gather the facts, decide, carry the decision out (or, in
 * dry-run, only say what it would do), record it in the audit trail and tell
 * on-call. A remediation that fails is escalated as critical and rethrown so
 * the event is retried; its claim is given back first.
 */
export async function handleAlarm(alarm: AlarmFacts, policy: RollbackPolicy, stage: string, ports: RollbackPorts, now: Date) {
  // An alarm that cannot blame a release needs no look at CodeDeploy or the ledger.
  const decision = cannotBlameARelease(alarm, policy) ?? decideRollback(alarm, await gatherFacts(ports, now), policy, now);
  let outcome: RollbackOutcome;
  try {
    outcome = await carryOut(decision, alarm, ports, now);
  } catch (error) {
    outcome = { kind: "failed", error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  await ports.ledger.audit({ eventId: alarm.eventId, at: now, alarmName: alarm.alarmName, decision, outcome: outcome.kind });
  await ports.notify(noticeOf(stage, alarm, decision, outcome));
  if (outcome.kind === "failed") throw new Error(`Remediation failed: ${outcome.error}`);
  return { decision, outcome };
}

async function gatherFacts(ports: RollbackPorts, now: Date) {
  const [history, recentRollbacks] = await Promise.all([
    ports.deployments.history(),
    ports.ledger.recentRollbacks(new Date(now.getTime() - DAY_MS)),
  ]);
  return { ...history, recentRollbacks };
}

async function carryOut(decision: RollbackDecision, alarm: AlarmFacts, ports: RollbackPorts, now: Date): Promise<RollbackOutcome> {
  if (decision.action === "none") return { kind: "nothing" };
  if (decision.action === "stop-deployment") {
    if (decision.dryRun) return { kind: "would-stop", deploymentId: decision.deploymentId };
    return { kind: await ports.deployments.stop(decision.deploymentId), deploymentId: decision.deploymentId };
  }
  const { badDeploymentId } = decision;
  if (decision.dryRun) return { kind: "would-roll-back", badDeploymentId };
  if (!(await ports.ledger.claim(badDeploymentId, now))) return { kind: "claimed-elsewhere", badDeploymentId };
  try {
    const description = `${AUTOMATIC_ROLLBACK_PREFIX} of ${badDeploymentId}: ${alarm.alarmName} fired (${alarm.eventId})`.slice(0, 200);
    const rollbackDeploymentId = await ports.deployments.redeploy(decision.to, description);
    await ports.ledger.recordRollback(badDeploymentId, rollbackDeploymentId, now);
    return { kind: "rolled-back", badDeploymentId, rollbackDeploymentId };
  } catch (error) {
    await ports.ledger.release(badDeploymentId);
    throw error;
  }
}

function noticeOf(stage: string, alarm: AlarmFacts, decision: RollbackDecision, outcome: RollbackOutcome): AutomationNotice {
  const base = {
    stage,
    actor: "rollback",
    facts: [
      { label: "Alarm", value: alarm.alarmName },
      { label: "Alarm reason", value: alarm.reason.slice(0, 2000) || "—" },
    ],
  };
  if (outcome.kind === "failed") {
    return {
      ...base,
      severity: "critical",
      title: `Automatic remediation FAILED for ${alarm.alarmId}`,
      summary: `The automation decided: ${decision.why}. Carrying it out failed: ${outcome.error}. Nothing was rolled back; the event will be retried.`,
      nextStep:
        "Roll back by hand now (CodeDeploy console: stop the deployment, or redeploy the previous task definition), then look at the rollback function's logs.",
    };
  }
  if (decision.action === "none") {
    return {
      ...base,
      severity: "info",
      title: `No automatic rollback for ${alarm.alarmId}`,
      summary: `Did nothing, because ${decision.why}.`,
    };
  }
  if (decision.action === "stop-deployment") {
    return {
      ...base,
      severity: "critical",
      title: `Stopped release ${decision.deploymentId}: ${alarm.alarmId} fired`,
      summary: `${capitalize(decision.why)}.${outcome.kind === "already-finished" ? " The release had already finished." : ""}`,
      facts: [...base.facts, { label: "Release", value: decision.deploymentId }],
      actionsTaken: ["Stopped the deployment with rollback: traffic goes back to the previous version."],
      nextStep: "Find the cause in the stopped release before shipping it again.",
      dryRun: decision.dryRun,
      thread: { deploymentId: decision.deploymentId, role: "reply" },
    };
  }
  const rolledBack = outcome.kind === "rolled-back" ? outcome.rollbackDeploymentId : null;
  return {
    ...base,
    severity: "critical",
    title: `Rolled back release ${decision.badDeploymentId}`,
    summary: `${capitalize(decision.why)}.${outcome.kind === "claimed-elsewhere" ? " Another delivery of this alarm already started the rollback." : ""}`,
    facts: [
      ...base.facts,
      { label: "Bad release", value: decision.badDeploymentId },
      { label: "Back to", value: decision.to.split("/").at(-1) ?? decision.to },
      ...(rolledBack ? [{ label: "Rollback deployment", value: rolledBack }] : []),
    ],
    actionsTaken: [`Started a deployment back to task definition ${decision.to.split("/").at(-1)}.`],
    nextStep: `Find the cause in release ${decision.badDeploymentId} before shipping again.`,
    dryRun: decision.dryRun,
    thread: { deploymentId: decision.badDeploymentId, role: "reply" },
  };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
