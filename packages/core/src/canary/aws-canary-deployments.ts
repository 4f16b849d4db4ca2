import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { clientAtFirstUse } from "../aws/clients";
import { stopWithRollback } from "../aws/release-stops";
import type { CanaryDeploymentsPort } from "./ports";

export function codeDeployCanary(givenCodeDeploy?: CodeDeployClient, givenEcs?: ECSClient): CanaryDeploymentsPort {
  const codeDeploy = clientAtFirstUse(
    () => import("../aws/sdk/codedeploy"),
    (sdk) => new sdk.CodeDeployClient({}),
    givenCodeDeploy,
  );
  const ecs = clientAtFirstUse(
    () => import("../aws/sdk/ecs"),
    (sdk) => new sdk.ECSClient({ maxAttempts: 3 }),
    givenEcs,
  );
  return {
    async status(deploymentId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const { deploymentInfo } = await client.send(new codeDeploySdk.GetDeploymentCommand({ deploymentId }));
      return deploymentInfo?.status ?? "Unknown";
    },
    async taskSets(deploymentId, targetId) {
      const { sdk: codeDeploySdk, client } = await codeDeploy();
      const { deploymentTarget } = await client.send(new codeDeploySdk.GetDeploymentTargetCommand({ deploymentId, targetId }));
      const sets = deploymentTarget?.ecsTarget?.taskSetsInfo ?? [];
      // The task set labels say which is which: CodeDeploy swaps the two target groups' roles every release.
      const green = sets.find((set) => set.taskSetLabel === "Green");
      const blue = sets.find((set) => set.taskSetLabel === "Blue");
      if (!green?.targetGroup?.name || !blue?.targetGroup?.name) return null;
      const sides = {
        greenTargetGroup: green.targetGroup.name,
        blueTargetGroup: blue.targetGroup.name,
        greenTrafficPercent: green.trafficWeight ?? 0,
      };
      // CodeDeploy spells it "identifer": the ECS task set id, whose task definition ECS knows.
      const ids = { green: green.identifer, blue: blue.identifer };
      if (!ids.green || !ids.blue) return { ...sides, revisionsUnknown: "CodeDeploy named no task set ids" };
      try {
        return { ...sides, revisions: await taskSetRevisions(await ecs(), targetId, { green: ids.green, blue: ids.blue }) };
      } catch (error) {
        // The load balancer's metrics still judge the canary: the fast path is an addition, never a requirement.
        return { ...sides, revisionsUnknown: error instanceof Error ? error.message : String(error) };
      }
    },
    stopWithRollback: async (deploymentId) => stopWithRollback((await codeDeploy()).client, deploymentId),
  };
}

/** ECS DescribeTaskSets: each task set's task definition ARN (…:task-definition/family:revision) → "family:revision". */
async function taskSetRevisions(
  { sdk: ecsSdk, client: ecs }: { sdk: typeof import("../aws/sdk/ecs"); client: ECSClient },
  targetId: string,
  ids: { green: string; blue: string },
) {
  const [cluster, service] = targetId.split(":");
  const { taskSets = [], failures = [] } = await ecs.send(
    new ecsSdk.DescribeTaskSetsCommand({ cluster, service, taskSets: [ids.green, ids.blue] }),
  );
  const revision = (id: string) => {
    const arn = taskSets.find((set) => set.id === id || set.taskSetArn?.endsWith(`/${id}`))?.taskDefinition;
    const name = arn?.split(":task-definition/")[1];
    if (!name)
      throw new Error(`no task definition for task set ${id}${failures.length ? ` (${failures.map((f) => f.reason).join(", ")})` : ""}`);
    return name;
  };
  return { green: revision(ids.green), blue: revision(ids.blue) };
}
