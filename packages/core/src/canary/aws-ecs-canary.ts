import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { clientAtFirstUse } from "../aws/clients";
import { stopServiceDeploymentWithRollback } from "../aws/release-stops";
import { type EcsReleases, serviceDeploymentArn } from "../release/release-group";
import type { CanaryDeploymentsPort } from "./ports";

/** ECS's statuses of a service deployment still under way, read as CodeDeploy's InProgress by the watch (watch-run.ts). */
const UNDER_WAY = new Set(["PENDING", "IN_PROGRESS"]);

/**
 * A canary under ECS's own blue/green (release.controller "ecs"), as the watch reads it: whether the service
 * deployment still runs, which target group is green and how much production traffic it has, and the stop.
 * ECS alternates the two target groups between releases; its test listener rule forwards all test traffic to
 * green once the test traffic has shifted, so that rule says which is which, the production rule how much.
 */
export function ecsCanary(
  releases: EcsReleases,
  rules: { production: string; test: string },
  givenEcs?: ECSClient,
  givenElb?: ElasticLoadBalancingV2Client,
): CanaryDeploymentsPort {
  const ecs = clientAtFirstUse(
    () => import("../aws/sdk/ecs"),
    (sdk) => new sdk.ECSClient({ maxAttempts: 5 }),
    givenEcs,
  );
  const elb = clientAtFirstUse(
    () => import("../aws/sdk/elbv2"),
    (sdk) => new sdk.ElasticLoadBalancingV2Client({ maxAttempts: 5 }),
    givenElb,
  );
  return {
    async status(releaseId) {
      const { sdk: ecsSdk, client } = await ecs();
      const { serviceDeployments } = await client.send(
        new ecsSdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeploymentArn(releases.serviceArn, releaseId)] }),
      );
      const status = serviceDeployments?.[0]?.status ?? "UNKNOWN";
      return UNDER_WAY.has(status) ? "InProgress" : status;
    },
    async taskSets(releaseId) {
      const { sdk: elbSdk, client: elbClient } = await elb();
      const { Rules = [] } = await elbClient.send(new elbSdk.DescribeRulesCommand({ RuleArns: [rules.production, rules.test] }));
      const weights = (arn: string) => forwardWeights(Rules.find((rule) => rule.RuleArn === arn));
      const test = weights(rules.test);
      const production = weights(rules.production);
      const green = [...test.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      const blue = [...production.keys()].find((name) => name !== green);
      const total = [...production.values()].reduce((sum, weight) => sum + weight, 0);
      if (!green || !blue || total === 0) return null;
      const sides = {
        greenTargetGroup: green,
        blueTargetGroup: blue,
        greenTrafficPercent: Math.round(((production.get(green) ?? 0) / total) * 100),
      };
      try {
        return { ...sides, revisions: await releaseRevisions((await ecs()).client, serviceDeploymentArn(releases.serviceArn, releaseId)) };
      } catch (error) {
        // The load balancer's metrics still judge the canary: the fast path is an addition, never a requirement.
        return { ...sides, revisionsUnknown: error instanceof Error ? error.message : String(error) };
      }
    },
    stopWithRollback: async (releaseId) =>
      stopServiceDeploymentWithRollback((await ecs()).client, serviceDeploymentArn(releases.serviceArn, releaseId)),
  };
}

/** Target group name → weight of a rule's forward action (a single target group forwards with weight 1). */
function forwardWeights(rule: Rule | undefined): Map<string, number> {
  const forward = rule?.Actions?.find((action) => action.Type === "forward");
  const nameOf = (arn: string) => arn.split(":targetgroup/")[1]?.split("/")[0] ?? arn;
  const groups = forward?.ForwardConfig?.TargetGroups;
  if (groups?.length) return new Map(groups.flatMap((g) => (g.TargetGroupArn ? [[nameOf(g.TargetGroupArn), g.Weight ?? 1]] : [])));
  return forward?.TargetGroupArn ? new Map([[nameOf(forward.TargetGroupArn), 1]]) : new Map();
}

/**
 * The task definitions ("family:revision") of the release's target service revision (green) and its source
 * (blue), which the service's per-revision metrics are dimensioned by: DescribeServiceDeployments names the
 * revisions, DescribeServiceRevisions their task definitions.
 */
async function releaseRevisions(ecs: ECSClient, deploymentArn: string): Promise<{ green: string; blue: string }> {
  const ecsSdk = await import("../aws/sdk/ecs");
  const { serviceDeployments = [] } = await ecs.send(
    new ecsSdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn] }),
  );
  const deployment = serviceDeployments[0];
  const greenArn = deployment?.targetServiceRevision?.arn;
  const sources = deployment?.sourceServiceRevisions ?? [];
  if (!greenArn || sources.length !== 1 || !sources[0]?.arn)
    throw new Error(`service deployment with ${sources.length} source revisions (one is compared) or no target revision`);
  const blueArn = sources[0].arn;
  const { serviceRevisions = [] } = await ecs.send(
    new ecsSdk.DescribeServiceRevisionsCommand({ serviceRevisionArns: [greenArn, blueArn] }),
  );
  const revision = (arn: string) => {
    const name = serviceRevisions.find((r) => r.serviceRevisionArn === arn)?.taskDefinition?.split(":task-definition/")[1];
    if (!name) throw new Error(`no task definition for service revision ${arn}`);
    return name;
  };
  return { green: revision(greenArn), blue: revision(blueArn) };
}
