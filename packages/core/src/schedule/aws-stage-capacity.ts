import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, ECSClient, TagResourceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
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
  ecs: ECSClient = new ECSClient({}),
  scaling: ApplicationAutoScalingClient = new ApplicationAutoScalingClient({}),
): StageCapacityPort {
  const scalable = {
    ServiceNamespace: "ecs" as const,
    ResourceId: `service/${target.cluster}/${target.service}`,
    ScalableDimension: "ecs:service:DesiredCount" as const,
  };
  return {
    async observe() {
      const [{ services, failures }, { ScalableTargets }] = await Promise.all([
        ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service], include: ["TAGS"] })),
        scaling.send(
          new DescribeScalableTargetsCommand({
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
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }));
      const arn = services?.[0]?.serviceArn;
      if (!arn) throw new Error(`ECS does not know service ${target.service} in ${target.cluster}`);
      await ecs.send(
        new TagResourceCommand({
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
      await scaling.send(new RegisterScalableTargetCommand({ ...scalable, MinCapacity: to.minCapacity, MaxCapacity: to.maxCapacity }));
      await ecs.send(new UpdateServiceCommand({ cluster: target.cluster, service: target.service, desiredCount: to.desiredCount }));
    },
  };
}
