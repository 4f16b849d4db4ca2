import type { ECSClient, ServiceDeploymentBrief, ServiceDeploymentStatus } from "@aws-sdk/client-ecs";
import { clientAtFirstUse } from "../aws/clients";
import { stopServiceDeploymentWithRollback } from "../aws/release-stops";
import { type EcsReleases, serviceDeploymentArn } from "../release/release-group";
import { parseServiceDeploymentArn } from "../release/release-id";
import type { DeploymentFacts } from "./decide";
import type { RollbackDeploymentsPort } from "./ports";

const ACTIVE: ServiceDeploymentStatus[] = ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"];
const ROLLING_BACK: ReadonlySet<string> = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

/**
 * ECS's own service deployments as the rollback sees them (release.controller "ecs"): what runs, what succeeded
 * last, and the two actions: StopServiceDeployment with ROLLBACK, and UpdateService back to the task definition
 * before (a release of its own, which ECS runs blue/green with the stage's hooks).
 */
export function ecsRollbacks(releases: EcsReleases, given?: ECSClient): RollbackDeploymentsPort {
  const { cluster, service } = releases;
  const ecs = clientAtFirstUse(
    () => import("../aws/sdk/ecs"),
    (sdk) => new sdk.ECSClient({ maxAttempts: 5 }),
    given,
  );
  const list = async (status: ServiceDeploymentStatus[]) => {
    const { sdk, client } = await ecs();
    const { serviceDeployments = [] } = await client.send(
      new sdk.ListServiceDeploymentsCommand({ cluster, service, status, maxResults: 20 }),
    );
    return serviceDeployments;
  };
  const taskDefinitions = async (briefs: ServiceDeploymentBrief[]) => {
    const arns = [...new Set(briefs.flatMap((b) => (b.targetServiceRevisionArn ? [b.targetServiceRevisionArn] : [])))];
    if (!arns.length) return new Map<string, string>();
    const { sdk, client } = await ecs();
    const { serviceRevisions = [] } = await client.send(
      new sdk.DescribeServiceRevisionsCommand({ serviceRevisionArns: arns.slice(0, 20) }),
    );
    return new Map(
      serviceRevisions.flatMap((r) =>
        r.serviceRevisionArn && r.taskDefinition ? [[r.serviceRevisionArn, r.taskDefinition] as const] : [],
      ),
    );
  };
  return {
    async history() {
      const [active, succeeded] = await Promise.all([list(ACTIVE), list(["SUCCESSFUL"])]);
      const byRevision = await taskDefinitions([...active, ...succeeded]);
      const facts = (briefs: ServiceDeploymentBrief[]) =>
        briefs
          .map((brief) => toFacts(brief, byRevision))
          .filter((d): d is DeploymentFacts => d !== null)
          .sort((a, b) => b.at.getTime() - a.at.getTime());
      const successes = facts(succeeded);
      const [lastSuccess = null, previousSuccess = null] = successes;
      // A success that went back to an older revision of the family is a rollback (ECS's, a person's or ours).
      if (lastSuccess && previousSuccess && revisionOf(lastSuccess.taskDefinitionArn) < revisionOf(previousSuccess.taskDefinitionArn))
        lastSuccess.automaticRollback = true;
      return { inProgress: facts(active)[0] ?? null, lastSuccess, previousSuccess };
    },
    stop: async (releaseId) =>
      stopServiceDeploymentWithRollback((await ecs()).client, serviceDeploymentArn(releases.serviceArn, releaseId)),
    async redeploy(taskDefinitionArn) {
      const { sdk, client } = await ecs();
      await client.send(new sdk.UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn }));
      // UpdateService names no service deployment; the newest pending or running one is the one it started.
      const started = (await list(["PENDING", "IN_PROGRESS"])).sort(
        (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
      )[0];
      const id = started?.serviceDeploymentArn ? parseServiceDeploymentArn(started.serviceDeploymentArn)?.releaseId : undefined;
      if (!id) throw new Error(`ECS accepted the update of ${service} to ${taskDefinitionArn} but lists no service deployment for it`);
      return id;
    },
  };
}

function toFacts(brief: ServiceDeploymentBrief, taskDefinitions: Map<string, string>): DeploymentFacts | null {
  const id = brief.serviceDeploymentArn ? parseServiceDeploymentArn(brief.serviceDeploymentArn)?.releaseId : undefined;
  const taskDefinitionArn = brief.targetServiceRevisionArn ? taskDefinitions.get(brief.targetServiceRevisionArn) : undefined;
  const at = brief.finishedAt ?? brief.startedAt ?? brief.createdAt;
  if (!id || !taskDefinitionArn || !at) return null;
  return { deploymentId: id, taskDefinitionArn, at, automaticRollback: ROLLING_BACK.has(brief.status ?? "") };
}

const revisionOf = (taskDefinitionArn: string) => Number(taskDefinitionArn.split(":").at(-1));
