import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { clientAtFirstUse } from "../aws/clients";
import { stopWithRollback } from "../aws/release-stops";
import { ecsAppSpec, taskDefinitionOf } from "./appspec";
import type { ReleasePort } from "./ports";
import { ACTIVE_DEPLOYMENT_STATUSES, type DeploymentSnapshot, releaseProgress } from "./progress";

export function codeDeployReleases(givenCodeDeploy?: CodeDeployClient, givenEcs?: ECSClient): ReleasePort {
  const codeDeploy = clientAtFirstUse(
    () => import("../aws/sdk/codedeploy"),
    (sdk) => new sdk.CodeDeployClient({}),
    givenCodeDeploy,
  );
  const ecs = clientAtFirstUse(
    () => import("../aws/sdk/ecs"),
    (sdk) => new sdk.ECSClient({}),
    givenEcs,
  );
  return {
    async service(targetId) {
      const [cluster, service] = targetId.split(":");
      const { sdk: ecsSdk, client: ecsClient } = await ecs();
      const { services } = await ecsClient.send(new ecsSdk.DescribeServicesCommand({ cluster, services: [service ?? ""] }));
      const taskSets = services?.[0]?.taskSets ?? [];
      return {
        serving: taskSets.find((taskSet) => taskSet.status === "PRIMARY")?.taskDefinition,
        up: taskSets.flatMap((taskSet) => (taskSet.taskDefinition ? [taskSet.taskDefinition] : [])),
      };
    },

    async active({ applicationName, deploymentGroupName }, targetId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const { deployments } = await client.send(
        new codeDeploySdk.ListDeploymentsCommand({
          applicationName,
          deploymentGroupName,
          includeOnlyStatuses: [...ACTIVE_DEPLOYMENT_STATUSES],
        }),
      );
      const deploymentId = deployments?.[0];
      if (!deploymentId) return undefined;
      const { deploymentInfo } = await client.send(new codeDeploySdk.GetDeploymentCommand({ deploymentId }));
      const events = await lifecycle(client, deploymentId, targetId);
      const progress = releaseProgress({ deploymentId, status: deploymentInfo?.status ?? "Unknown", lifecycle: events });
      return {
        deploymentId,
        taskDefinitionArn: taskDefinitionOf(deploymentInfo?.revision?.appSpecContent?.content),
        // Live while still active: all traffic moved and the last hook passed, so CodeDeploy waits to end the kept tasks.
        phase: progress.kind === "live" ? "termination-wait" : "shifting",
      };
    },

    async start({ applicationName, deploymentGroupName, description, target }) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const output = await client.send(
        new codeDeploySdk.CreateDeploymentCommand({
          applicationName,
          deploymentGroupName,
          description,
          revision: { revisionType: "AppSpecContent", appSpecContent: { content: ecsAppSpec(target) } },
        }),
      );
      if (!output.deploymentId) throw new Error("CodeDeploy created a deployment without an id");
      return output.deploymentId;
    },

    async snapshot(deploymentId, targetId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const { deploymentInfo } = await client.send(new codeDeploySdk.GetDeploymentCommand({ deploymentId }));
      if (!deploymentInfo?.status) throw new Error(`CodeDeploy returned no status for deployment ${deploymentId}`);
      const rollbackId = deploymentInfo.rollbackInfo?.rollbackDeploymentId;
      const rollbackStatus = rollbackId
        ? (await client.send(new codeDeploySdk.GetDeploymentCommand({ deploymentId: rollbackId }))).deploymentInfo?.status
        : undefined;
      return {
        deploymentId,
        status: deploymentInfo.status,
        errorCode: deploymentInfo.errorInformation?.code,
        errorMessage: deploymentInfo.errorInformation?.message,
        rollback: rollbackId ? { deploymentId: rollbackId, status: rollbackStatus ?? "Unknown" } : undefined,
        lifecycle: await lifecycle(client, deploymentId, targetId),
      };
    },

    stopWithRollback: async (deploymentId) => stopWithRollback((await codeDeploy()).client, deploymentId),

    async finish(deploymentId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      try {
        await client.send(new codeDeploySdk.ContinueDeploymentCommand({ deploymentId, deploymentWaitType: "TERMINATION_WAIT" }));
        return "finished";
      } catch (error) {
        if (error instanceof codeDeploySdk.DeploymentAlreadyCompletedException) return "already-finished";
        throw error;
      }
    },

    async status(deploymentId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const { deploymentInfo } = await client.send(new codeDeploySdk.GetDeploymentCommand({ deploymentId }));
      return deploymentInfo?.status ?? "Unknown";
    },
  };
}

async function lifecycle(client: CodeDeployClient, deploymentId: string, targetId: string): Promise<DeploymentSnapshot["lifecycle"]> {
  const codeDeploySdk = await import("../aws/sdk/codedeploy");
  try {
    const { deploymentTarget } = await client.send(new codeDeploySdk.GetDeploymentTargetCommand({ deploymentId, targetId }));
    return (deploymentTarget?.ecsTarget?.lifecycleEvents ?? []).map((event) => ({
      name: event.lifecycleEventName ?? "?",
      status: event.status ?? "Unknown",
    }));
  } catch (error) {
    // The target appears a few seconds after the deployment is created.
    if (error instanceof codeDeploySdk.DeploymentTargetDoesNotExistException) return [];
    throw error;
  }
}
