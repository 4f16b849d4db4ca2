import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { KEEP_AWAKE_REASON_TAG, KEEP_AWAKE_TAG } from "./keep-awake";
import type { StageCapacityPort } from "./ports";

export interface ServiceTarget {
  cluster: string;
  service: string;
}

/**
 * The service's task count: Application Auto Scaling's limits and ECS's
 * desired count. With the CodeDeploy controller, more than one task set
 * means a release is shifting traffic.
 */
export function ecsStageCapacity(
  target: ServiceTarget,
  givenEcs?: ECSClient,
  givenScaling?: ApplicationAutoScalingClient,
): StageCapacityPort {
  let ecs = givenEcs;
  let scaling = givenScaling;
  const connect = async () => {
    const [ecsSdk, autoScalingSdk] = await Promise.all([import("../aws/sdk/ecs"), import("../aws/sdk/application-auto-scaling")]);
    ecs ??= new ecsSdk.ECSClient({});
    scaling ??= new autoScalingSdk.ApplicationAutoScalingClient({});
    return { ecsSdk, autoScalingSdk, ecs, scaling };
  };
  const scalable = {
    ServiceNamespace: "ecs" as const,
    ResourceId: `service/${target.cluster}/${target.service}`,
    ScalableDimension: "ecs:service:DesiredCount" as const,
  };
  return {
    async observe() {
      const { ecsSdk, autoScalingSdk, ecs, scaling } = await connect();
      const [{ services, failures }, { ScalableTargets }] = await Promise.all([
        ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: [target.service], include: ["TAGS"] })),
        scaling.send(
          new autoScalingSdk.DescribeScalableTargetsCommand({
            ServiceNamespace: scalable.ServiceNamespace,
            ResourceIds: [scalable.ResourceId],
            ScalableDimension: scalable.ScalableDimension,
          }),
        ),
      ]);
      const service = services?.[0];
      if (!service)
        throw new Error(`ECS does not know service ${target.service} in ${target.cluster}: ${failures?.[0]?.reason ?? "no answer"}`);
      const limits = ScalableTargets?.[0];
      if (!limits) throw new Error(`No scalable target is registered for ${scalable.ResourceId}`);
      return {
        capacity: { desiredCount: service.desiredCount ?? 0, minCapacity: limits.MinCapacity ?? 0, maxCapacity: limits.MaxCapacity ?? 0 },
        releaseInProgress: (service.taskSets ?? []).length > 1,
        tags: Object.fromEntries((service.tags ?? []).map((tag) => [tag.key ?? "", tag.value ?? ""])),
      };
    },
    async keepAwake(until, reason) {
      const { ecsSdk, ecs } = await connect();
      const { services } = await ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }));
      const arn = services?.[0]?.serviceArn;
      if (!arn) throw new Error(`ECS does not know service ${target.service} in ${target.cluster}`);
      await ecs.send(
        new ecsSdk.TagResourceCommand({
          resourceArn: arn,
          tags: [
            { key: KEEP_AWAKE_TAG, value: until.toISOString() },
            // Tag values allow letters, digits, spaces and _ . : / = + - @ only.
            {
              key: KEEP_AWAKE_REASON_TAG,
              value: reason
                .replace(/[^\p{L}\p{N} _.:/=+\-@]+/gu, " ")
                .replace(/\s+/g, " ")
                .trim()
                .slice(0, 256),
            },
          ],
        }),
      );
    },
    async scale(to) {
      const { ecsSdk, autoScalingSdk, ecs, scaling } = await connect();
      await scaling.send(
        new autoScalingSdk.RegisterScalableTargetCommand({ ...scalable, MinCapacity: to.minCapacity, MaxCapacity: to.maxCapacity }),
      );
      await ecs.send(new ecsSdk.UpdateServiceCommand({ cluster: target.cluster, service: target.service, desiredCount: to.desiredCount }));
    },
  };
}
