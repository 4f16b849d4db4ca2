import {
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentTargetDoesNotExistException,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { ecsAppSpec, type ReleaseTarget } from "../release/appspec";
import type { DeploymentSnapshot } from "../release/progress";

export interface StartRelease {
  applicationName: string;
  deploymentGroupName: string;
  description: string;
  target: ReleaseTarget;
}

/** The AWS calls a release makes. */
export interface ReleasePort {
  /** The task definition of the service's primary task set, if it has one. */
  running(targetId: string): Promise<string | undefined>;
  start(release: StartRelease): Promise<string>;
  snapshot(deploymentId: string, targetId: string): Promise<DeploymentSnapshot>;
}

export function codeDeployReleases(client: CodeDeployClient = new CodeDeployClient({}), ecs: ECSClient = new ECSClient({})): ReleasePort {
  return {
    async running(targetId) {
      const [cluster, service] = targetId.split(":");
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service ?? ""] }));
      return services?.[0]?.taskSets?.find((taskSet) => taskSet.status === "PRIMARY")?.taskDefinition;
    },

    async start({ applicationName, deploymentGroupName, description, target }) {
      const output = await client.send(
        new CreateDeploymentCommand({
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
      const { deploymentInfo } = await client.send(new GetDeploymentCommand({ deploymentId }));
      if (!deploymentInfo?.status) throw new Error(`CodeDeploy returned no status for deployment ${deploymentId}`);
      const rollbackId = deploymentInfo.rollbackInfo?.rollbackDeploymentId;
      const rollbackStatus = rollbackId
        ? (await client.send(new GetDeploymentCommand({ deploymentId: rollbackId }))).deploymentInfo?.status
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
  };
}

async function lifecycle(client: CodeDeployClient, deploymentId: string, targetId: string): Promise<DeploymentSnapshot["lifecycle"]> {
  try {
    const { deploymentTarget } = await client.send(new GetDeploymentTargetCommand({ deploymentId, targetId }));
    return (deploymentTarget?.ecsTarget?.lifecycleEvents ?? []).map((event) => ({
      name: event.lifecycleEventName ?? "?",
      status: event.status ?? "Unknown",
    }));
  } catch (error) {
    // The target appears a few seconds after the deployment is created.
    if (error instanceof DeploymentTargetDoesNotExistException) return [];
    throw error;
  }
}
