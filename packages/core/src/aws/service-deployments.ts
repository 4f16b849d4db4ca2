import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ServiceDeploymentFound } from "../notify/sources/ecs-deployment";
import { parseServiceDeploymentArn } from "../release/release-id";
import { clientAtFirstUse } from "./clients";

/** An event's clock and ECS's may differ a little: a deployment created this much after the event still counts. */
const CLOCK_SKEW_MS = 60_000;

/** ECS's record of the service's deployments, as the ECS lifecycle hook and the notifier read it. */
export function ecsServiceDeployments(given?: ECSClient) {
  const ecs = clientAtFirstUse(
    () => import("./sdk/ecs"),
    (sdk) => new sdk.ECSClient({ maxAttempts: 5 }),
    given,
  );
  return {
    /**
     * The service deployment an ECS Deployment State Change event is about: its detail names only ECS's older
     * deployment id (ecs-svc/…), so this is the newest one created by the event's time. ECS runs one service
     * deployment of a service at a time, and a new one replaces the one under way.
     */
    async latestAt(cluster: string, service: string, at: Date): Promise<ServiceDeploymentFound> {
      const { sdk, client } = await ecs();
      const { serviceDeployments = [] } = await client.send(new sdk.ListServiceDeploymentsCommand({ cluster, service, maxResults: 20 }));
      const newest = serviceDeployments
        .filter((d) => d.createdAt && d.createdAt.getTime() <= at.getTime() + CLOCK_SKEW_MS)
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
      const releaseId = newest?.serviceDeploymentArn ? parseServiceDeploymentArn(newest.serviceDeploymentArn)?.releaseId : undefined;
      if (!newest || !releaseId) throw new Error(`ECS lists no deployment of ${service} created by ${at.toISOString()}`);
      return { releaseId, status: newest.status ?? "UNKNOWN" };
    },
    /** The service's first deployment has no source revision (DescribeServiceDeployments). */
    async isFirstDeployment(serviceDeploymentArn: string): Promise<boolean> {
      const { sdk, client } = await ecs();
      const { serviceDeployments, failures } = await client.send(
        new sdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeploymentArn] }),
      );
      const deployment = serviceDeployments?.[0];
      if (!deployment)
        throw new Error(`ECS has no service deployment ${serviceDeploymentArn}: ${failures?.[0]?.reason ?? "no reason given"}`);
      return (deployment.sourceServiceRevisions ?? []).length === 0;
    },
  };
}
