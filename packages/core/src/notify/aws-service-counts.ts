import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ServiceCountsPort } from "./ports";

/** A service's running and desired task counts, as ECS reports them now: the public one's unless another is named. */
export function ecsServiceCounts(cluster: string, publicService: string, client?: ECSClient): ServiceCountsPort {
  return {
    async counts(service = publicService) {
      const sdk = await import("../aws/sdk/ecs");
      client ??= new sdk.ECSClient({});
      const { services, failures } = await client.send(new sdk.DescribeServicesCommand({ cluster, services: [service] }));
      const found = services?.[0];
      if (!found) throw new Error(`ECS does not know service ${service} in ${cluster}: ${failures?.[0]?.reason ?? "no answer"}`);
      return { running: found.runningCount ?? 0, desired: found.desiredCount ?? 0 };
    },
  };
}
