import { deploymentLink, serviceDeploymentLink } from "../notify/links";
import { alarmIncidentKey, type IncidentDeployment } from "../notify/message";
import type { AutomationNotice } from "../notify/sources/automation";
import { controllerName, type ReleaseGroup } from "../release/release-group";
import type { AlarmFacts } from "./alarm";
import { byHand } from "./by-hand";
import {
  AUTOMATIC_ROLLBACK_PREFIX,
  cannotBlameARelease,
  decideRollBackByHand,
  decideRollback,
  HELD_BACK,
  type RollbackDecision,
  type RollbackPolicy,
} from "./decide";
import type { RollbackPorts } from "./ports";
import { staleAlarm } from "./present";

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
export async function handleAlarm(
  alarm: AlarmFacts,
  policy: RollbackPolicy,
  where: { stage: string; group: ReleaseGroup },
  ports: RollbackPorts,
  now: Date,
) {
  // An alarm that cannot blame a release needs no look at the releases' history or the ledger.
  const excluded = cannotBlameARelease(alarm, policy);
  if (excluded) return act(excluded, alarm, where, ports, now);
  // The alarm first, alone: a stale event makes no call to CodeDeploy or ECS at all (and loads neither client).
  const alarmNow = await ports.alarms.now(alarm.alarmName);
  const decision =
    staleAlarm(alarm, alarmNow, policy.timeZone) ?? decideRollback(alarm, { ...(await gatherFacts(ports, now)), alarmNow }, policy, now);
  return act(decision, alarm, where, ports, now);
}

/**
 * A person's "Roll back" on a release's thread: the same facts, guards, claim, audit and notice as an alarm's
 * rollback; the notice says who asked and goes to the release's thread, not to an alarm's incident.
 */
export async function handleRollBackRequest(
  request: { deploymentId: string; ticketId: string; requestedBy: string },
  policy: RollbackPolicy,
  where: { stage: string; group: ReleaseGroup },
  ports: RollbackPorts,
  now: Date,
) {
  const asked: AlarmFacts = {
    eventId: `roll-back-${request.ticketId}`,
    alarmName: "Roll back (Slack)",
    alarmId: "Roll back",
    state: "ALARM",
    reason: `${request.requestedBy} pressed Roll back on release ${request.deploymentId}`,
    at: now,
    byHand: { requestedBy: request.requestedBy, deploymentId: request.deploymentId },
  };
  const decision = decideRollBackByHand(request.deploymentId, request.requestedBy, await gatherFacts(ports, now), policy, now);
  return act(decision, asked, where, ports, now);
}

async function act(
  decision: RollbackDecision,
  alarm: AlarmFacts,
  where: { stage: string; group: ReleaseGroup },
  ports: RollbackPorts,
  now: Date,
) {
  let outcome: RollbackOutcome;
  try {
    outcome = await carryOut(decision, alarm, ports, now);
  } catch (error) {
    outcome = { kind: "failed", error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  await ports.ledger.audit({ eventId: alarm.eventId, at: now, alarmName: alarm.alarmName, decision, outcome: outcome.kind });
  await ports.notify(noticeOf(where, alarm, decision, outcome));
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
    const { deploymentId, dryRun } = decision;
    // One stop per release, whichever alarm (or person) asks first; dry-run rehearses the same claim on its own key.
    if (!(await ports.ledger.claim(deploymentId, now, dryRun, "stop"))) return { kind: "claimed-elsewhere", badDeploymentId: deploymentId };
    if (dryRun) return { kind: "would-stop", deploymentId };
    try {
      return { kind: await ports.deployments.stop(deploymentId), deploymentId };
    } catch (error) {
      await ports.ledger.release(deploymentId, "stop");
      throw error;
    }
  }
  const { badDeploymentId } = decision;
  // Dry-run rehearses: the same claim (its own key) and a record of the rollback it would have started, so that the
  // cooldown, the daily cap and "already rolled back" apply to it as to enforce.
  if (!(await ports.ledger.claim(badDeploymentId, now, decision.dryRun))) return { kind: "claimed-elsewhere", badDeploymentId };
  if (decision.dryRun) {
    await ports.ledger.recordRollback(badDeploymentId, null, now);
    return { kind: "would-roll-back", badDeploymentId };
  }
  try {
    // The prefix marks every rollback of ours, a person's included, so that the next decision sees it in flight.
    const cause = alarm.byHand ? `${alarm.byHand.requestedBy} asked in Slack` : `${alarm.alarmName} fired`;
    const description = `${AUTOMATIC_ROLLBACK_PREFIX} of ${badDeploymentId}: ${cause} (${alarm.eventId})`.slice(0, 200);
    const rollbackDeploymentId = await ports.deployments.redeploy(decision.to, description);
    await ports.ledger.recordRollback(badDeploymentId, rollbackDeploymentId, now);
    return { kind: "rolled-back", badDeploymentId, rollbackDeploymentId };
  } catch (error) {
    await ports.ledger.release(badDeploymentId);
    throw error;
  }
}

function noticeOf(
  where: { stage: string; group: ReleaseGroup },
  alarm: AlarmFacts,
  decision: RollbackDecision,
  outcome: RollbackOutcome,
): AutomationNotice {
  // handled: the release is stopped or being rolled back (by this run or an earlier one): nothing asks a person to.
  const step = (did: string, escalates: boolean, deployments: IncidentDeployment[] = [], offers?: "do-it", handled?: true) =>
    // A person's request is no alarm's step: it is told in the release's thread.
    alarm.byHand
      ? { thread: { deploymentId: alarm.byHand.deploymentId, role: "reply" as const } }
      : {
          incident: {
            role: "step" as const,
            key: alarmIncidentKey(alarm.alarmName),
            did: did.slice(0, 300),
            escalates,
            deployments,
            // A rehearsed decision can be carried out for real from the incident's message ("Do it").
            ...(offers ? { offers } : {}),
            ...(handled ? { handled } : {}),
          },
        };
  const base = {
    stage: where.stage,
    actor: "rollback",
    facts: alarm.byHand
      ? [{ label: "Asked by", value: `${alarm.byHand.requestedBy}, in Slack` }]
      : [
          { label: "Alarm", value: alarm.alarmName },
          { label: "Alarm reason", value: alarm.reason.slice(0, 2000) || "—" },
        ],
  };
  const cause = alarm.byHand ? `${alarm.byHand.requestedBy} asked` : `${alarm.alarmId} fired`;
  const { group } = where;
  const controller = controllerName(group);
  const linkTo = (region: string, id: string) =>
    group.controller === "ecs" ? serviceDeploymentLink(region, group.cluster, group.service, id) : deploymentLink(region, id);
  const links = (...deploymentIds: (string | null)[]) =>
    group.region ? deploymentIds.flatMap((id) => (id ? [linkTo(group.region as string, id)] : [])) : [];
  if (outcome.kind === "failed") {
    return {
      ...base,
      severity: "critical",
      title: alarm.byHand ? `Roll back FAILED, as ${alarm.byHand.requestedBy} asked` : `Automatic remediation FAILED for ${alarm.alarmId}`,
      summary: `The automation decided: ${decision.why}. Carrying it out failed: ${outcome.error}. Nothing was rolled back; the event will be retried.`,
      nextStep:
        decision.action === "none"
          ? "Look at the rollback function's logs."
          : `Do it by hand now: ${byHand(decision, where.group)} — then look at the rollback function's logs.`,
      links: decision.action === "stop-deployment" ? links(decision.deploymentId) : [],
      ...step(`Tried to carry out the decision and FAILED (${outcome.error}); nothing was changed.`, true),
    };
  }
  if (decision.action === "none" && decision.reason === "stale-alarm") {
    // Told as what it is: not "no rollback needed" but "this event is out of date", so nobody reads it as a verdict.
    const told = `${capitalize(decision.why)}; nothing was changed.`;
    return {
      ...base,
      severity: "info",
      title: `${alarm.alarmId}: a stale ALARM, nothing was changed`,
      summary: `${told} The automation acts on the alarm as CloudWatch has it now, not on an event delivered late or out of order.`,
      nextStep: null,
      ...step(told, false),
    };
  }
  if (decision.action === "none" && decision.reason === "worker-alarm" && decision.worker) {
    // A worker's own alarm: its incident, not the public service's; ECS's deployment alarms are the worker's rollback.
    const { worker } = decision;
    const told = `Did nothing: ${alarm.alarmId} is an alarm of worker "${worker}", no release of the public service is to blame; ECS rolls a running deployment of ${worker} back by itself on it.`;
    return {
      ...base,
      worker,
      severity: "info",
      title: `${worker}: no automatic rollback for ${alarm.alarmId}, ECS rolls ${worker} back itself`.slice(0, 140),
      summary: `${capitalize(decision.why)}. The automation changed nothing.`,
      facts: [...base.facts, { label: "Service", value: `${worker} (a worker: released by ECS's rolling deployments)` }],
      nextStep: null,
      ...step(told, false),
    };
  }
  if (decision.action === "none" && decision.heldBack) {
    // Held back from a rollback the facts call for: a person gets the release, the versions and the command.
    const { badDeploymentId, from, to } = decision.heldBack;
    const [serving, back] = [from, to].map((arn) => arn.split("/").at(-1) ?? arn) as [string, string];
    const command = byHand({ action: "redeploy-previous", badDeploymentId, from, to, why: decision.why, dryRun: false }, group);
    return {
      ...base,
      severity: "critical",
      title: alarm.byHand
        ? `No rollback of release ${badDeploymentId}, though ${alarm.byHand.requestedBy} asked`
        : `No automatic rollback of release ${badDeploymentId} for ${alarm.alarmId}`,
      summary: `Did nothing, because ${decision.why}. Release ${badDeploymentId} (${serving}) is the one serving, as ${controller}'s history reads; the version before it is ${back}.`,
      facts: [
        ...base.facts,
        { label: "Release", value: badDeploymentId },
        { label: "Serving", value: serving },
        { label: "Would go back to", value: back },
      ],
      nextStep: `If the alarm is right, roll back by hand now: ${command}`,
      links: links(badDeploymentId),
      ...step(`Held back from rolling back release ${badDeploymentId} to ${back}, because ${decision.why}.`, true),
    };
  }
  if (decision.action === "none") {
    return {
      ...base,
      // Held back by a guard, a person must decide; otherwise the alarm is not a release's doing.
      severity: HELD_BACK.has(decision.reason) ? "critical" : "info",
      title: alarm.byHand ? `No rollback, though ${alarm.byHand.requestedBy} asked` : `No automatic rollback for ${alarm.alarmId}`,
      summary: `Did nothing, because ${decision.why}.`,
      nextStep: HELD_BACK.has(decision.reason)
        ? "A release is to blame but the automation held back: decide whether to roll back by hand (docs/rollback.md)."
        : null,
      ...step(`Did nothing, because ${decision.why}.`, HELD_BACK.has(decision.reason)),
    };
  }
  if (decision.action === "stop-deployment") {
    const release = decision.deploymentId;
    if (outcome.kind === "claimed-elsewhere") {
      // The first request's notice paged and tells the release's thread; this one only joins its incident.
      const did = decision.dryRun
        ? `Dry-run: another request had already decided to stop release ${release}; this one did nothing.`
        : `Another request had already asked ${controller} to stop release ${release}; this one did nothing.`;
      return {
        ...base,
        severity: "info",
        title: decision.dryRun
          ? `Would stop release ${release}: already decided, nothing was changed`
          : `Release ${release} is already being stopped`,
        summary: `${capitalize(decision.why)}. ${did}`,
        facts: [...base.facts, { label: "Release", value: release }],
        nextStep: null,
        links: links(release),
        ...(decision.dryRun ? { dryRun: true } : {}),
        ...step(did, false, [{ deploymentId: release, part: "bad-release" }], undefined, decision.dryRun ? undefined : true),
      };
    }
    if (decision.dryRun && decision.controllerStops) {
      // The controller acts on this alarm without us: a stop by hand could only fail, so nobody is told to do one.
      const watches =
        group.controller === "ecs"
          ? "ECS watches this alarm for the service's deployments (its deployment alarms) and rolls the release back itself"
          : "CodeDeploy's deployment group watches this alarm and stops the release itself, sending traffic back to the previous version";
      const watchesIt =
        group.controller === "ecs"
          ? `ECS's deployment alarms include ${alarm.alarmId}: it rolls the release back itself`
          : `CodeDeploy's deployment group watches ${alarm.alarmId} and stops it itself`;
      return {
        ...base,
        severity: "critical",
        title: `${controller} stops release ${release} itself on ${alarm.alarmId}; dry-run changed nothing`,
        summary: `${capitalize(decision.why)}. ${watches}; dry-run would also have stopped it.`,
        facts: [...base.facts, { label: "Release", value: release }],
        nextStep: `Follow ${controller}'s rollback in the release's thread; find the cause in release ${release} before shipping it again.`,
        links: links(release),
        dryRun: true,
        thread: { deploymentId: release, role: "reply" },
        ...step(`Dry-run: would have stopped release ${release}; ${watchesIt}.`, false, [{ deploymentId: release, part: "bad-release" }]),
      };
    }
    if (decision.dryRun)
      return {
        ...base,
        severity: "critical",
        title: `Would stop release ${release}, which is still running: nothing was changed`,
        summary: `${capitalize(decision.why)}. The automation is in dry-run: it did not stop the release, and users are moving to it as planned.`,
        facts: [...base.facts, { label: "Release", value: release }],
        nextStep: `If the alarm is right, stop the release by hand now (${controller} sends traffic back to the previous version): ${byHand(decision, where.group)}`,
        links: links(release),
        dryRun: true,
        thread: { deploymentId: release, role: "reply" },
        ...step(
          `Dry-run: would have stopped release ${release}; nothing was changed.`,
          true,
          [{ deploymentId: release, part: "bad-release" }],
          "do-it",
        ),
      };
    return {
      ...base,
      severity: "critical",
      title: `Stopped release ${release}: ${cause}`,
      summary: `${capitalize(decision.why)}.${outcome.kind === "already-finished" ? " The release had already finished when the stop arrived." : ""}`,
      facts: [...base.facts, { label: "Release", value: release }],
      actionsTaken: [
        outcome.kind === "already-finished"
          ? `Asked ${controller} to stop ${release}; it had already finished, so nothing changed.`
          : `Stopped ${release} with rollback: ${controller} is sending traffic back to the previous version.`,
      ],
      nextStep: "Follow the rollback in the deployment; find the cause in the stopped release before shipping it again.",
      links: links(release),
      thread: { deploymentId: release, role: "reply" },
      ...step(
        outcome.kind === "already-finished"
          ? `Asked ${controller} to stop release ${release}; it had already finished, so nothing changed.`
          : `Stopped release ${release} with rollback: ${controller} is sending traffic back (in progress).`,
        outcome.kind === "already-finished",
        [{ deploymentId: release, part: "bad-release" }],
        undefined,
        outcome.kind === "already-finished" ? undefined : true,
      ),
    };
  }
  const back = decision.to.split("/").at(-1) ?? decision.to;
  if (decision.dryRun) {
    const repeated = outcome.kind === "claimed-elsewhere";
    return {
      ...base,
      severity: repeated ? "info" : "critical",
      title: `Would roll back release ${decision.badDeploymentId} to ${back}: nothing was changed`,
      summary: `${capitalize(decision.why)}. The automation is in dry-run: release ${decision.badDeploymentId} is still serving.${repeated ? " Another delivery of this alarm already said so." : ""}`,
      facts: [...base.facts, { label: "Bad release", value: decision.badDeploymentId }, { label: "Would go back to", value: back }],
      nextStep: `If the alarm is right, roll back by hand now: ${byHand(decision, where.group)}`,
      links: links(decision.badDeploymentId),
      dryRun: true,
      thread: { deploymentId: decision.badDeploymentId, role: "reply" },
      ...step(
        repeated
          ? `Dry-run: another delivery of this alarm already decided to roll back ${decision.badDeploymentId}.`
          : `Dry-run: would have rolled back release ${decision.badDeploymentId} to ${back}; nothing was changed.`,
        !repeated,
        [{ deploymentId: decision.badDeploymentId, part: "bad-release" }],
        repeated ? undefined : "do-it",
      ),
    };
  }
  const rollbackDeploymentId = outcome.kind === "rolled-back" ? outcome.rollbackDeploymentId : null;
  return {
    ...base,
    severity: "critical",
    // Started, not done: the controller's own messages (in the release's thread) say when it has succeeded.
    title: rollbackDeploymentId
      ? `Rolling back release ${decision.badDeploymentId} to ${back}`
      : `Release ${decision.badDeploymentId} is already being rolled back`,
    summary: `${capitalize(decision.why)}.${outcome.kind === "claimed-elsewhere" ? " Another delivery of this alarm had already started the rollback; this one did nothing." : ""}`,
    facts: [
      ...base.facts,
      { label: "Bad release", value: decision.badDeploymentId },
      { label: "Back to", value: back },
      ...(rollbackDeploymentId ? [{ label: "Rollback deployment", value: `${rollbackDeploymentId} (in progress)` }] : []),
    ],
    actionsTaken: rollbackDeploymentId
      ? [`Started rollback deployment ${rollbackDeploymentId} back to task definition ${back} (in progress).`]
      : [],
    nextStep: `Follow the rollback deployment; find the cause in release ${decision.badDeploymentId} before shipping again.`,
    links: links(rollbackDeploymentId, decision.badDeploymentId),
    thread: { deploymentId: decision.badDeploymentId, role: "reply" },
    ...step(
      rollbackDeploymentId
        ? `Started rollback deployment ${rollbackDeploymentId} of release ${decision.badDeploymentId} back to ${back} (in progress).`
        : `Another delivery of this alarm had already started the rollback of ${decision.badDeploymentId}; this one did nothing.`,
      false,
      [
        { deploymentId: decision.badDeploymentId, part: "bad-release" },
        ...(rollbackDeploymentId ? [{ deploymentId: rollbackDeploymentId, part: "rollback" as const }] : []),
      ],
      undefined,
      true,
    ),
  };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
