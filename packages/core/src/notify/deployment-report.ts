import { deploymentLink } from "./links";
import type { OpsMessage } from "./message";
import type { DeploymentReport } from "./ports";
import { DEPLOYMENT_DETAIL_TYPE } from "./sources/deployment";

/** The release outcomes whose cause on-call needs: failed and stopped. */
export function wantsDeploymentReport(message: OpsMessage): boolean {
  // CodeDeploy's only: an ECS release's outcome is told from ECS's own record (sources/ecs-deployment.ts).
  return message.source.detailType === DEPLOYMENT_DETAIL_TYPE && message.thread?.role === "outcome" && message.severity !== "info";
}

const UNREAD = "CodeDeploy's report could not be read: neither its error nor which version serves users is known.";

/**
 * A failed or stopped release, told from CodeDeploy's own report instead of a
 * guess: its error (or that it gives none), the rollback it started (or that it
 * names none) and the version it sends users back to. When the report cannot
 * be read, the message says so and claims nothing.
 */
export function withDeploymentReport(message: OpsMessage, region: string, found: DeploymentReport | { unreadable: string }): OpsMessage {
  if ("unreadable" in found)
    return {
      ...message,
      summary: `${message.summary} ${UNREAD}`.slice(0, 2500),
      facts: [
        ...message.facts,
        { label: "CodeDeploy's report", value: `could not be read (${found.unreadable})`.slice(0, 2000) },
        { label: "Users", value: "unknown: CodeDeploy's report could not be read" },
      ],
    };
  const error = [found.error?.code, found.error?.message].filter(Boolean).join(": ");
  const rollbackId = found.rollback?.rollbackDeploymentId;
  const previous = found.previousTaskDefinition?.split("/").at(-1);
  const told = found.error?.message ? `CodeDeploy: ${found.error.message}` : `${message.summary} CodeDeploy's report gives no error.`;
  const users = rollbackId
    ? `CodeDeploy started rollback deployment ${rollbackId}, which sends users back to the version before this release${previous ? `, ${previous}` : ""}.`
    : "It names no rollback deployment and does not say which version serves users.";
  return {
    ...message,
    summary: `${told} ${users}`.slice(0, 2500),
    facts: [
      ...message.facts,
      ...(error ? [{ label: "CodeDeploy's error", value: error.slice(0, 2000) }] : []),
      ...(found.rollback?.rollbackMessage ? [{ label: "Rollback", value: found.rollback.rollbackMessage.slice(0, 2000) }] : []),
      {
        label: "Users",
        value: rollbackId
          ? `sent back to ${previous ?? "the version before this release"} by rollback deployment ${rollbackId} (CodeDeploy's)`
          : "not in CodeDeploy's report (no rollback deployment): the deployment's page shows where traffic is",
      },
    ],
    actionsTaken: rollbackId ? [`CodeDeploy started rollback deployment ${rollbackId}.`] : [],
    links: rollbackId ? [...message.links, { ...deploymentLink(region, rollbackId), label: "Rollback deployment" }] : message.links,
  };
}
