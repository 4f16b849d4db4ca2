import {
  CodeDeployClient,
  DeploymentAlreadyCompletedException,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";

export interface CanaryTaskSets {
  /** Target group names of the new (green) and current (blue) task sets, and the share of traffic on green. */
  greenTargetGroup: string;
  blueTargetGroup: string;
  greenTrafficPercent: number;
}

export interface CanaryDeploymentsPort {
  status(deploymentId: string): Promise<string>;
  taskSets(deploymentId: string, targetId: string): Promise<CanaryTaskSets | null>;
  /** StopDeployment with rollback; a deployment that already finished is left as it is. */
  stopWithRollback(deploymentId: string): Promise<"stopped" | "already-finished">;
}

export function codeDeployCanary(client: CodeDeployClient = new CodeDeployClient({})): CanaryDeploymentsPort {
  return {
    async status(deploymentId) {
      const { deploymentInfo } = await client.send(new GetDeploymentCommand({ deploymentId }));
      return deploymentInfo?.status ?? "Unknown";
    },
    async taskSets(deploymentId, targetId) {
      const { deploymentTarget } = await client.send(new GetDeploymentTargetCommand({ deploymentId, targetId }));
      const sets = deploymentTarget?.ecsTarget?.taskSetsInfo ?? [];
      // The task set labels say which is which: CodeDeploy swaps the two target groups' roles every release.
      const green = sets.find((set) => set.taskSetLabel === "Green");
      const blue = sets.find((set) => set.taskSetLabel === "Blue");
      if (!green?.targetGroup?.name || !blue?.targetGroup?.name) return null;
      return {
        greenTargetGroup: green.targetGroup.name,
        blueTargetGroup: blue.targetGroup.name,
        greenTrafficPercent: green.trafficWeight ?? 0,
      };
    },
    stopWithRollback: (deploymentId) => stopWithRollback(client, deploymentId),
  };
}

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
