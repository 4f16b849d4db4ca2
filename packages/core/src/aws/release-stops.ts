import { type CodeDeployClient, DeploymentAlreadyCompletedException, StopDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { ConflictException, type ECSClient, StopServiceDeploymentCommand } from "@aws-sdk/client-ecs";

/**
 * Stopping a release and rolling it back, as the canary watch, the release function and the rollback all do it: under
 * CodeDeploy or under ECS's own blue/green. A release that already finished is left as it is, and said so.
 */

/** StopDeployment with rollback; a deployment that already finished is left as it is. */
export async function stopWithRollback(client: CodeDeployClient, deploymentId: string): Promise<"stopped" | "already-finished"> {
  try {
    await client.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    return "stopped";
  } catch (error) {
    if (error instanceof DeploymentAlreadyCompletedException) return "already-finished";
    throw error;
  }
}

/** StopServiceDeployment with ROLLBACK; a deployment ECS can no longer stop is left as it is. */
export async function stopServiceDeploymentWithRollback(
  client: ECSClient,
  serviceDeploymentArn: string,
): Promise<"stopped" | "already-finished"> {
  try {
    await client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" }));
    return "stopped";
  } catch (error) {
    // ECS refuses to stop a deployment that is no longer in a state it can stop (its developer guide lists them).
    if (error instanceof ConflictException) return "already-finished";
    throw error;
  }
}
