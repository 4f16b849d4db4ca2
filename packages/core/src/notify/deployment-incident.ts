import type { DeploymentReport } from "./deployment-report";
import { alarmIncidentKey, type IncidentDeployment, type OpsMessage } from "./message";
import type { DeploymentLink } from "./ports";
import { STOP_SUMMARY } from "./sources/deployment";
import { ECS_DEPLOYMENT_DETAIL_TYPE } from "./sources/ecs-deployment";

/**
 * A CodeDeploy (or ECS) event of a deployment that is part of an incident (the release
 * an alarm blamed, the rollback started for it) is a step of that incident:
 * what CodeDeploy reports it did, in one line. A rollback is "rolling back"
 * until CodeDeploy says it succeeded; one that fails or is stopped calls for a
 * human. Pure.
 */
export function joinIncident(message: OpsMessage, link: DeploymentLink, rollbackDeploymentId?: string): OpsMessage {
  const { deploymentId, state } = message.thread ?? {};
  if (!deploymentId || !state) return message;
  const by = message.source.detailType === ECS_DEPLOYMENT_DETAIL_TYPE ? "ECS" : "CodeDeploy";
  const step =
    link.part === "rollback" ? rollbackStep(deploymentId, state, by) : releaseStep(deploymentId, state, rollbackDeploymentId, by);
  const deployments: IncidentDeployment[] = rollbackDeploymentId ? [{ deploymentId: rollbackDeploymentId, part: "rollback" }] : [];
  return {
    ...message,
    ...(link.part === "bad-release" && state === "STOP" ? stopOfTheIncident(message, link, deploymentId) : {}),
    severity: step.escalates ? "critical" : message.severity,
    title: step.title ?? message.title,
    incident: { role: "step", key: link.key, did: step.did, escalates: step.escalates, deployments },
  };
}

/**
 * The blamed release stopped: the incident's own alarm asked for it (the automation's stop, or the controller's own
 * watch of that alarm, as the incident's steps tell), so nobody is asked who stopped it.
 */
function stopOfTheIncident(message: OpsMessage, link: DeploymentLink, id: string): Pick<OpsMessage, "summary" | "nextStep"> {
  const cause = link.key.startsWith("alarm:") ? `in answer to ${link.key.slice("alarm:".length)}` : "as a step of this incident";
  return {
    summary: message.summary.replace(
      STOP_SUMMARY,
      `The release was stopped before it finished, ${cause}: this incident's steps say what asked for the stop.`,
    ),
    nextStep: `Follow the rollback in this incident; find the cause in release ${id} before shipping it again.`,
  };
}

interface Step {
  did: string;
  escalates: boolean;
  title?: string;
}

function rollbackStep(id: string, state: string, by: string): Step {
  switch (state) {
    case "SUCCESS":
      return {
        did: `Rolled back: rollback deployment ${id} succeeded, the previous version serves all traffic.`,
        escalates: false,
        title: `Rolled back: ${id} succeeded`,
      };
    case "FAILURE":
      return {
        did: `Rollback deployment ${id} FAILED: the bad release may still be serving.`,
        escalates: true,
        title: `Rollback ${id} failed`,
      };
    case "STOP":
      return { did: `Rollback deployment ${id} was stopped before it finished.`, escalates: true, title: `Rollback ${id} stopped` };
    case "START":
      return { did: `${by} started rollback deployment ${id} (in progress).`, escalates: false, title: `Rollback ${id} started` };
    default:
      return { did: `Rollback deployment ${id}: the previous version's tasks are ready (in progress).`, escalates: false };
  }
}

function releaseStep(id: string, state: string, rollbackDeploymentId: string | undefined, by: string): Step {
  const rollback = rollbackDeploymentId ? ` ${by} started rollback deployment ${rollbackDeploymentId}.` : "";
  switch (state) {
    case "STOP":
      return { did: `${by} stopped release ${id}.${rollback}`, escalates: false };
    case "FAILURE":
      return { did: `${by} marked release ${id} failed.${rollback}`, escalates: false };
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
