import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { ECSClient } from "@aws-sdk/client-ecs";

/**
 * Stopping a release and rolling it back, as the canary watch, the release function and the rollback all do it: under
 * CodeDeploy or under ECS's own blue/green. A release that already finished is left as it is, and said so.
 */

/** StopDeployment with rollback; a deployment that already finished is left as it is. */
export async function stopWithRollback(client: CodeDeployClient, deploymentId: string): Promise<"stopped" | "already-finished"> {
  const sdk = await import("./sdk/codedeploy");
  try {
    await client.send(new sdk.StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    return "stopped";
  } catch (error) {
    if (error instanceof sdk.DeploymentAlreadyCompletedException) return "already-finished";
    throw error;
  }
}

/** StopServiceDeployment with ROLLBACK; a deployment ECS can no longer stop is left as it is. */
export async function stopServiceDeploymentWithRollback(
  client: ECSClient,
  serviceDeploymentArn: string,
): Promise<"stopped" | "already-finished"> {
  const sdk = await import("./sdk/ecs");
  try {
    await client.send(new sdk.StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" }));
    return "stopped";
  } catch (error) {
    // ECS refuses to stop a deployment that is no longer in a state it can stop (its developer guide lists them).
    if (error instanceof sdk.ConflictException) return "already-finished";
    throw error;
  }
}
