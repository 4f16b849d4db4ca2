import { type ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CreateServiceCommand, type ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";

/**
 * A Fargate service on moto's ECS with its scalable target, as the Service stack leaves one: what the sleep
 * schedule's adapters read and scale. The cluster must exist.
 */
export async function motoFargateService(
  clients: { ecs: ECSClient; scaling: ApplicationAutoScalingClient },
  service: { cluster: string; name: string; family: string; desiredCount: number; minCapacity: number; maxCapacity: number },
) {
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: service.family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/node:24-alpine", essential: true }],
    }),
  );
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: service.cluster,
      serviceName: service.name,
      taskDefinition: taskDefinition?.taskDefinitionArn,
      desiredCount: service.desiredCount,
      launchType: "FARGATE",
    }),
  );
  await clients.scaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: `service/${service.cluster}/${service.name}`,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: service.minCapacity,
      MaxCapacity: service.maxCapacity,
    }),
  );
}
