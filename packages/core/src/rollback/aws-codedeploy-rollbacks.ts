import type { CodeDeployClient, DeploymentInfo } from "@aws-sdk/client-codedeploy";
import { clientAtFirstUse } from "../aws/clients";
import { stopWithRollback } from "../aws/release-stops";
import { ecsAppSpec, taskDefinitionOf } from "../release/appspec";
import { ACTIVE_DEPLOYMENT_STATUSES } from "../release/progress";
import type { CodeDeployGroup } from "../release/release-group";
import { ROLLBACK_DEPLOYMENT_CONFIG } from "./by-hand";
import type { DeploymentFacts } from "./decide";
import { AUTOMATIC_ROLLBACK_PREFIX } from "./decide";
import type { RollbackDeploymentsPort } from "./ports";

export { taskDefinitionOf };

export type RollbackTarget = Omit<CodeDeployGroup, "controller" | "region">;

/** CodeDeploy as the rollback sees it: what runs, what succeeded last, and the two actions. The SDK retries throttling itself. */
export function codeDeployRollbacks(target: RollbackTarget, given?: CodeDeployClient): RollbackDeploymentsPort {
  const { applicationName, deploymentGroupName } = target;
  const codeDeploy = clientAtFirstUse(
    () => import("../aws/sdk/codedeploy"),
    (sdk) => new sdk.CodeDeployClient({ maxAttempts: 5 }),
    given,
  );
  const list = async (statuses: string[]) => {
    const { sdk, client } = await codeDeploy();
    const { deployments } = await client.send(
      new sdk.ListDeploymentsCommand({ applicationName, deploymentGroupName, includeOnlyStatuses: statuses as never }),
    );
    if (!deployments?.length) return [];
    // The list's order is not documented: read them (25 at most per call) and sort by time.
    const { deploymentsInfo } = await client.send(new sdk.BatchGetDeploymentsCommand({ deploymentIds: deployments.slice(0, 25) }));
    return (deploymentsInfo ?? [])
      .map(toFacts)
      .filter((d): d is DeploymentFacts => d !== null)
      .sort((a, b) => b.at.getTime() - a.at.getTime());
  };
  return {
    async history() {
      const [active, succeeded] = await Promise.all([list([...ACTIVE_DEPLOYMENT_STATUSES]), list(["Succeeded"])]);
      return { inProgress: active[0] ?? null, lastSuccess: succeeded[0] ?? null, previousSuccess: succeeded[1] ?? null };
    },
    stop: async (deploymentId) => stopWithRollback((await codeDeploy()).client, deploymentId),
    async redeploy(taskDefinitionArn, description) {
      const { sdk, client } = await codeDeploy();
      const { deploymentId } = await client.send(
        new sdk.CreateDeploymentCommand({
          applicationName,
          deploymentGroupName,
          description,
          deploymentConfigName: ROLLBACK_DEPLOYMENT_CONFIG,
          // Back to a version that ran before: no canary hooks, no canary window.
          revision: {
            revisionType: "AppSpecContent",
            appSpecContent: {
              content: ecsAppSpec({
                taskDefinitionArn,
                containerName: target.containerName,
                containerPort: target.containerPort,
                hooks: {},
              }),
            },
          },
        }),
      );
      if (!deploymentId) throw new Error("CodeDeploy created a rollback deployment without an id");
      return deploymentId;
    },
  };
}

function toFacts(info: DeploymentInfo): DeploymentFacts | null {
  const taskDefinitionArn = taskDefinitionOf(info.revision?.appSpecContent?.content);
  const at = info.completeTime ?? info.startTime ?? info.createTime;
  if (!info.deploymentId || !taskDefinitionArn || !at) return null;
  return {
    deploymentId: info.deploymentId,
    taskDefinitionArn,
    at,
    automaticRollback: (info.description ?? "").startsWith(AUTOMATIC_ROLLBACK_PREFIX),
  };
}
