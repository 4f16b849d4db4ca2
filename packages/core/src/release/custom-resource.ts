import * as z from "zod";
import { ECS_HOOKS, type ReleaseTarget } from "./appspec";

/** Properties of the Custom::Release resource that the Service stack declares. */
export const ReleaseProperties = z.object({
  applicationName: z.string().min(1),
  deploymentGroupName: z.string().min(1),
  /** ECS deployment target id: "<cluster name>:<service name>". */
  targetId: z.string().regex(/^[^:]+:[^:]+$/),
  taskDefinitionArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/),
  containerName: z.string().min(1),
  containerPort: z.coerce.number().int().min(1).max(65535),
  hooks: z.partialRecord(z.enum(ECS_HOOKS), z.string().min(1)).default({}),
});
export type ReleaseProperties = z.infer<typeof ReleaseProperties>;

export interface ReleaseEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

export type ReleaseAction =
  | { action: "none"; why: string }
  | { action: "deploy"; properties: ReleaseProperties; target: ReleaseTarget; description: string };

/**
 * What CloudFormation's request means for the service. Only a new task
 * definition (a new image, new settings of the container) is released, and
 * only through CodeDeploy: CloudFormation itself cannot change the task
 * definition of a CODE_DEPLOY service. `running` is the task definition the
 * service serves now: when it is already the requested one (a repeated
 * request, or CloudFormation rolling back after CodeDeploy already did),
 * there is nothing to deploy.
 */
export function decideRelease(event: ReleaseEvent, running?: string): ReleaseAction {
  if (event.RequestType === "Delete") return { action: "none", why: "Removing the stack removes no release: nothing to do." };
  const properties = ReleaseProperties.parse(event.ResourceProperties);
  if (event.RequestType === "Create") {
    return { action: "none", why: "First deploy: ECS starts the new service on this task definition by itself." };
  }
  const previous = ReleaseProperties.safeParse(event.OldResourceProperties ?? {});
  if (previous.success && previous.data.taskDefinitionArn === properties.taskDefinitionArn) {
    return { action: "none", why: "The task definition did not change: nothing to release." };
  }
  if (running === properties.taskDefinitionArn) {
    return { action: "none", why: `The service already runs ${revisionOf(running)}: nothing to release.` };
  }
  const from = previous.success ? revisionOf(previous.data.taskDefinitionArn) : "the running revision";
  return {
    action: "deploy",
    properties,
    target: {
      taskDefinitionArn: properties.taskDefinitionArn,
      containerName: properties.containerName,
      containerPort: properties.containerPort,
      hooks: properties.hooks,
    },
    description: `sst deploy: ${from} -> ${revisionOf(properties.taskDefinitionArn)}`,
  };
}

function revisionOf(taskDefinitionArn: string): string {
  return taskDefinitionArn.split("/").at(-1) ?? taskDefinitionArn;
}
