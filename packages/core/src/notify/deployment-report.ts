import { deploymentLink } from "./links";
import type { OpsMessage } from "./message";
import { DEPLOYMENT_DETAIL_TYPE } from "./sources/deployment";

/** What CodeDeploy itself says of a finished deployment (GetDeployment's errorInformation and rollbackInfo). */
export interface DeploymentReport {
  error?: { code?: string; message?: string };
  rollback?: { rollbackDeploymentId?: string; rollbackMessage?: string };
}

export interface DeploymentReportPort {
  report(deploymentId: string): Promise<DeploymentReport>;
}

/** The release outcomes whose cause on-call needs: failed and stopped. */
export function wantsDeploymentReport(message: OpsMessage): boolean {
  // CodeDeploy's only: an ECS release's outcome is told from ECS's own record (sources/ecs-deployment.ts).
  return message.source.detailType === DEPLOYMENT_DETAIL_TYPE && message.thread?.role === "outcome" && message.severity !== "info";
}

/**
 * A failed or stopped release, told from CodeDeploy's own report instead of a
 * guess: its error, and the rollback it started (or says it did not). When the
 * report cannot be read, the message says so and claims nothing.
 */
export function withDeploymentReport(message: OpsMessage, region: string, found: DeploymentReport | { unreadable: string }): OpsMessage {
  if ("unreadable" in found)
    return {
      ...message,
      facts: [...message.facts, { label: "CodeDeploy's report", value: `could not be read (${found.unreadable})`.slice(0, 2000) }],
    };
  const error = [found.error?.code, found.error?.message].filter(Boolean).join(": ");
  const rollbackId = found.rollback?.rollbackDeploymentId;
  return {
    ...message,
    summary: found.error?.message ? `CodeDeploy: ${found.error.message}`.slice(0, 2500) : message.summary,
    facts: [
      ...message.facts,
      ...(error ? [{ label: "CodeDeploy's error", value: error.slice(0, 2000) }] : []),
      ...(found.rollback?.rollbackMessage ? [{ label: "Rollback", value: found.rollback.rollbackMessage.slice(0, 2000) }] : []),
    ],
    actionsTaken: rollbackId ? [`CodeDeploy started rollback deployment ${rollbackId}.`] : [],
    links: rollbackId ? [...message.links, { ...deploymentLink(region, rollbackId), label: "Rollback deployment" }] : message.links,
  };
}
