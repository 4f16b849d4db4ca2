/** What CodeDeploy says of one deployment, as far as a release needs to know. */
export interface DeploymentSnapshot {
  deploymentId: string;
  /** Created | Queued | InProgress | Baking | Ready | Succeeded | Failed | Stopped */
  status: string;
  errorCode?: string;
  errorMessage?: string;
  rollback?: { deploymentId: string; status: string };
  /** Lifecycle events of the ECS target, in order, e.g. { name: "AfterAllowTraffic", status: "Succeeded" }. */
  lifecycle: { name: string; status: string }[];
}

export type ReleaseProgress = { kind: "waiting"; step: string } | { kind: "live"; detail: string } | { kind: "failed"; reason: string };

/** CodeDeploy statuses of a deployment that has not finished. */
export const ACTIVE_DEPLOYMENT_STATUSES = ["Created", "Queued", "InProgress", "Ready"] as const;

const FINISHED = new Set(["Succeeded", "Failed", "Stopped"]);

/**
 * Whether `sst deploy` may stop waiting for a release. The release is live
 * once all traffic is on the new tasks and the last hook passed: CodeDeploy
 * then keeps the old tasks for the stage's termination wait and still rolls
 * back by itself if a release alarm fires. A failed release is reported only
 * once CodeDeploy's own rollback has finished, so that nothing else starts a
 * deployment while it runs.
 */
export function releaseProgress(deployment: DeploymentSnapshot): ReleaseProgress {
  const { deploymentId, status } = deployment;
  if (status === "Succeeded") return { kind: "live", detail: `Deployment ${deploymentId} succeeded.` };

  if (status === "Failed" || status === "Stopped") {
    const cause = [deployment.errorCode, deployment.errorMessage].filter(Boolean).join(": ") || "no error information";
    const rollback = deployment.rollback;
    if (rollback && !FINISHED.has(rollback.status)) return { kind: "waiting", step: `rolling back (deployment ${rollback.deploymentId})` };
    const outcome = rollback
      ? rollback.status === "Succeeded"
        ? `CodeDeploy rolled the service back to the previous task definition (deployment ${rollback.deploymentId}).`
        : `The rollback deployment ${rollback.deploymentId} ended ${rollback.status}: check the service now.`
      : "Users stayed on the previous task definition: no traffic had been shifted.";
    return { kind: "failed", reason: `Release ${deploymentId} ${status.toLowerCase()} (${cause}). ${outcome}` };
  }

  const afterAllowTraffic = deployment.lifecycle.find((event) => event.name === "AfterAllowTraffic");
  if (afterAllowTraffic?.status === "Succeeded") {
    return {
      kind: "live",
      detail: `All traffic is on the new tasks of ${deploymentId}; the old tasks stay up until the termination wait ends.`,
    };
  }
  const current =
    deployment.lifecycle.find((event) => event.status === "InProgress") ?? deployment.lifecycle.find((event) => event.status === "Pending");
  return { kind: "waiting", step: current ? `${current.name} (${current.status})` : status };
}

/**
 * Whether a release that Custom::Release stopped with rollback has put users back on the kept tasks: CodeDeploy
 * stops the deployment and runs a rollback deployment that routes traffic back to the original task set.
 */
export function rollbackProgress(deployment: DeploymentSnapshot): ReleaseProgress {
  const { deploymentId, status, rollback } = deployment;
  if (status === "Succeeded")
    return { kind: "failed", reason: `Deployment ${deploymentId} finished before it could be stopped: users are on its revision.` };
  if (!FINISHED.has(status)) return { kind: "waiting", step: `stopping ${deploymentId} (${status})` };
  if (!rollback) return { kind: "live", detail: `Deployment ${deploymentId} ${status.toLowerCase()} before any traffic moved.` };
  if (!FINISHED.has(rollback.status)) return { kind: "waiting", step: `rolling back (deployment ${rollback.deploymentId})` };
  if (rollback.status === "Succeeded")
    return { kind: "live", detail: `CodeDeploy rolled ${deploymentId} back (deployment ${rollback.deploymentId}).` };
  return { kind: "failed", reason: `The rollback deployment ${rollback.deploymentId} ended ${rollback.status}: check the service now.` };
}

/**
 * The release's progress once its deadline is taken into account: a release still waiting at the deadline fails,
 * so that Custom::Release answers CloudFormation before its ServiceTimeout (wait-budget.ts). The stack rolls back,
 * and its Update stops the deployment with rollback (decideRelease): users end on the revision the stack names.
 */
export function withinDeadline(progress: ReleaseProgress, now: Date, deadline: Date | undefined): ReleaseProgress {
  if (progress.kind !== "waiting" || !deadline || now < deadline) return progress;
  return {
    kind: "failed",
    reason: `Not live by ${deadline.toISOString()}, the release's deadline within CloudFormation's hour (at ${progress.step}). The stack rolls back, which stops the deployment with rollback.`,
  };
}
