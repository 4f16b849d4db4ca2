import { alarmIncidentKey, type IncidentDeployment, type OpsMessage } from "./message";
import type { DeploymentLink, DeploymentReport } from "./ports";
import { ECS_DEPLOYMENT_DETAIL_TYPE } from "./sources/ecs-deployment";

/**
 * A CodeDeploy (or ECS) event of a deployment that is part of an incident (the release
 * an alarm blamed, the rollback started for it) is a step of that incident:
 * what CodeDeploy reports it did, in one line. A rollback is "rolling back"
 * until CodeDeploy says it succeeded; one that fails or is stopped calls for a
 * human. Pure.
 */
export function joinIncident(message: OpsMessage, link: DeploymentLink, rollbackDeploymentId?: string): OpsMessage {
  const { deploymentId, state, rolledBack } = message.thread ?? {};
  if (!deploymentId || !state) return message;
  const by = message.source.detailType === ECS_DEPLOYMENT_DETAIL_TYPE ? "ECS" : "CodeDeploy";
  const step =
    link.part === "rollback"
      ? rollbackStep(deploymentId, state, by)
      : rolledBack
        ? {
            did: `${by} rolled release ${deploymentId} back: the previous version serves users.`,
            escalates: false,
            handled: true,
            ends: true,
          }
        : releaseStep(deploymentId, state, rollbackDeploymentId, by);
  const deployments: IncidentDeployment[] = rollbackDeploymentId ? [{ deploymentId: rollbackDeploymentId, part: "rollback" }] : [];
  return {
    ...message,
    severity: step.escalates ? "critical" : message.severity,
    title: step.title ?? message.title,
    ...(step.summary ? { summary: step.summary } : {}),
    ...(step.nextStep !== undefined ? { nextStep: step.nextStep } : {}),
    incident: {
      role: "step",
      key: link.key,
      did: step.did,
      escalates: step.escalates,
      deployments,
      ...(step.handled !== undefined ? { handled: step.handled } : {}),
      ...(step.ends ? { ends: true } : {}),
    },
  };
}

interface Step {
  did: string;
  escalates: boolean;
  title?: string;
  /** The release is stopped or being rolled back (true), or its rollback failed (false). */
  handled?: boolean;
  /** The previous version serves again: the release's crashes are over. */
  ends?: boolean;
  /** What the reply says instead of the event's own words, where the incident knows more than the event. */
  summary?: string;
  nextStep?: string | null;
}

function rollbackStep(id: string, state: string, by: string): Step {
  switch (state) {
    case "SUCCESS":
      return {
        did: `Rolled back: rollback deployment ${id} succeeded, the previous version serves all traffic.`,
        escalates: false,
        title: `Rolled back: ${id} succeeded`,
        // Not a release's "all traffic is on the new version": the version a rollback brings back is the previous one.
        summary: `Rollback deployment ${id} succeeded: the previous version serves all traffic again.`,
        handled: true,
        ends: true,
      };
    case "FAILURE":
      return {
        did: `Rollback deployment ${id} FAILED: the bad release may still be serving.`,
        escalates: true,
        title: `Rollback ${id} failed`,
        handled: false,
      };
    case "STOP":
      return {
        did: `Rollback deployment ${id} was stopped before it finished.`,
        escalates: true,
        title: `Rollback ${id} stopped`,
        handled: false,
      };
    case "START":
      return {
        did: `${by} started rollback deployment ${id} (in progress).`,
        escalates: false,
        title: `Rollback ${id} started`,
        summary: `${by} started rollback deployment ${id}: the previous version's tasks start and then take the traffic. Its outcome follows in this thread.`,
        handled: true,
      };
    default:
      return { did: `Rollback deployment ${id}: the previous version's tasks are ready (in progress).`, escalates: false, handled: true };
  }
}

function releaseStep(id: string, state: string, rollbackDeploymentId: string | undefined, by: string): Step {
  const rollback = rollbackDeploymentId ? ` ${by} started rollback deployment ${rollbackDeploymentId}.` : "";
  switch (state) {
    // A stopped or failed release no longer takes traffic: nobody needs to stop it again.
    case "STOP":
      return {
        // ECS says STOP only as its rollback's start (ecs-deployment.ts, ROLLING_BACK): it does not just stop.
        did: by === "ECS" ? `ECS is rolling release ${id} back to the previous revision.` : `${by} stopped release ${id}.${rollback}`,
        escalates: false,
        handled: true,
        // The incident's thread already says what asked for the stop: the reply does not send on-call looking for it.
        ...(by === "CodeDeploy"
          ? {
              summary:
                "CodeDeploy stopped the release before it finished. What asked for the stop (the automation, a hook's Failed verdict, an alarm the deployment group watches, or a person) is in this incident's thread.",
              nextStep: "Nothing to stop any more: find the cause in the stopped release before shipping it again.",
            }
          : {}),
      };
    case "FAILURE":
      return { did: `${by} marked release ${id} failed.${rollback}`, escalates: false, handled: true };
    case "SUCCESS":
      return { did: `Release ${id} finished: it serves all traffic.`, escalates: false };
    case "START":
      return { did: `Release ${id} started.`, escalates: false };
    default:
      return { did: `Release ${id}: its new tasks are ready.`, escalates: false };
  }
}

/**
 * The incident CodeDeploy's own report points at: a deployment it stopped
 * because a watched alarm went off names that alarm in its error message.
 */
export function alarmLinkOf(report: DeploymentReport, releaseAlarms: readonly string[]): DeploymentLink | undefined {
  const text = report.error?.message ?? "";
  const alarm = releaseAlarms.find((name) => text.includes(name));
  return alarm ? { key: alarmIncidentKey(alarm), part: "bad-release" } : undefined;
}
