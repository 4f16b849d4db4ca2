import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { KEEP_AWAKE_REASON_TAG, KEEP_AWAKE_TAG } from "./keep-awake";
import type { StageCapacityPort } from "./ports";

export interface ServiceTarget {
  cluster: string;
  /** The public service. */
  service: string;
  /** The workers beside it in the cluster: each its name in the settings and its ECS service. */
  workers?: { name: string; service: string }[];
}

/** DescribeServices takes at most ten services a call. */
const SERVICES_PER_CALL = 10;

/**
 * The services' task counts: Application Auto Scaling's limits and ECS's
 * desired count, of the public service and of each worker. With the
 * CodeDeploy controller, more than one task set of the public service means
 * a release is shifting traffic. The keep-awake tags are the public
 * service's (the workers' are not read: the function may not list them).
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
  const workers = target.workers ?? [];
  const resourceId = (service: string) => `service/${target.cluster}/${service}`;
  const scalable = (service: string) => ({
    ServiceNamespace: "ecs" as const,
    ResourceId: resourceId(service),
    ScalableDimension: "ecs:service:DesiredCount" as const,
  });
  const serviceOf = (worker?: string) => {
    if (worker === undefined) return target.service;
    const found = workers.find((w) => w.name === worker);
    if (!found) throw new Error(`The schedule knows no worker ${worker} (its WORKERS: ${workers.map((w) => w.name).join(", ") || "none"})`);
    return found.service;
  };
  const describeWorkers = async () => {
    const { ecsSdk, ecs } = await connect();
    const names = workers.map((w) => w.service);
    const calls = [];
    for (let i = 0; i < names.length; i += SERVICES_PER_CALL)
      calls.push(
        ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: names.slice(i, i + SERVICES_PER_CALL) })),
      );
    return (await Promise.all(calls)).flatMap(({ services, failures }) => {
      if (failures?.length) throw new Error(`ECS does not know service ${failures[0]?.arn} in ${target.cluster}: ${failures[0]?.reason}`);
      return services ?? [];
    });
  };
  return {
    async observe() {
      const { ecsSdk, autoScalingSdk, ecs, scaling } = await connect();
      const [{ services, failures }, described, { ScalableTargets }] = await Promise.all([
        ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: target.cluster, services: [target.service], include: ["TAGS"] })),
        describeWorkers(),
        scaling.send(
          new autoScalingSdk.DescribeScalableTargetsCommand({
            ServiceNamespace: "ecs",
            ResourceIds: [target.service, ...workers.map((w) => w.service)].map(resourceId),
            ScalableDimension: "ecs:service:DesiredCount",
          }),
        ),
      ]);
      const service = services?.[0];
      if (!service)
        throw new Error(`ECS does not know service ${target.service} in ${target.cluster}: ${failures?.[0]?.reason ?? "no answer"}`);
      const capacityOf = (name: string, desiredCount: number | undefined) => {
        const limits = ScalableTargets?.find((t) => t.ResourceId === resourceId(name));
        if (!limits) throw new Error(`No scalable target is registered for ${resourceId(name)}`);
        return { desiredCount: desiredCount ?? 0, minCapacity: limits.MinCapacity ?? 0, maxCapacity: limits.MaxCapacity ?? 0 };
      };
      const workerCapacity = (worker: { name: string; service: string }) => {
        const found = described.find((s) => s.serviceName === worker.service);
        if (!found) throw new Error(`ECS does not know service ${worker.service} (worker ${worker.name}) in ${target.cluster}`);
        return [worker.name, capacityOf(worker.service, found.desiredCount)] as const;
      };
      return {
        capacity: capacityOf(target.service, service.desiredCount),
        ...(workers.length ? { workers: Object.fromEntries(workers.map(workerCapacity)) } : {}),
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
    async scale(to, worker) {
      const service = serviceOf(worker);
      const { ecsSdk, autoScalingSdk, ecs, scaling } = await connect();
      await scaling.send(
        new autoScalingSdk.RegisterScalableTargetCommand({
          ...scalable(service),
          MinCapacity: to.minCapacity,
          MaxCapacity: to.maxCapacity,
        }),
      );
      await ecs.send(new ecsSdk.UpdateServiceCommand({ cluster: target.cluster, service, desiredCount: to.desiredCount }));
    },
  };
}
