import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ServiceCountsPort } from "./ports";

/** The service's running and desired task counts, as ECS reports them now. */
export function ecsServiceCounts(cluster: string, service: string, client?: ECSClient): ServiceCountsPort {
  return {
    async counts() {
      const sdk = await import("../aws/sdk/ecs");
      client ??= new sdk.ECSClient({});
      const { services, failures } = await client.send(new sdk.DescribeServicesCommand({ cluster, services: [service] }));
      const found = services?.[0];
      if (!found) throw new Error(`ECS does not know service ${service} in ${cluster}: ${failures?.[0]?.reason ?? "no answer"}`);
      return { running: found.runningCount ?? 0, desired: found.desiredCount ?? 0 };
    },
  };
}
