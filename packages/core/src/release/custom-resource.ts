import * as z from "../zod";
import { ECS_HOOKS, type ReleaseTarget } from "./appspec";

/** Properties of the Custom::Release resource that the Service stack declares. */
export const ReleaseProperties = z.object({
  applicationName: z.string().check(z.minLength(1)),
  deploymentGroupName: z.string().check(z.minLength(1)),
  /** ECS deployment target id: "<cluster name>:<service name>". */
  targetId: z.string().check(z.regex(/^[^:]+:[^:]+$/)),
  taskDefinitionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/)),
  containerName: z.string().check(z.minLength(1)),
  containerPort: z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(65535)),
  hooks: z._default(z.partialRecord(z.enum(ECS_HOOKS), z.string().check(z.minLength(1))), {}),
});
export type ReleaseProperties = z.infer<typeof ReleaseProperties>;

export interface ReleaseEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/** What serves now and what CodeDeploy is doing in the group, as an Update needs to know (empty for Create/Delete). */
export interface ReleaseFacts {
  /** The task definition of the service's primary task set: what users are on. */
  serving?: string;
  /** The task definitions of every task set still up (during a termination wait: the new and the kept one). */
  up?: string[];
  /** The group's active deployment: CodeDeploy runs one per deployment group at a time. */
  active?: ActiveDeployment;
}

export interface ActiveDeployment {
  deploymentId: string;
  /** The task definition its AppSpec deploys (undefined when it cannot be read). */
  taskDefinitionArn?: string;
  /** "termination-wait": all traffic is on it and the previous tasks are kept; "shifting": before that. */
  phase: "shifting" | "termination-wait";
}

type Deploy = { properties: ReleaseProperties; target: ReleaseTarget; description: string };

export type ReleaseAction =
  | { action: "none"; why: string }
  | ({ action: "deploy" } & Deploy)
  /** An active deployment already ships the requested revision: wait for it as for our own. */
  | { action: "follow"; deploymentId: string; why: string }
  /** StopDeployment with rollback: CodeDeploy sends traffic back to the kept tasks, which run the requested revision. */
  | { action: "roll-back"; deploymentId: string; why: string }
  /** ContinueDeployment (TERMINATION_WAIT) ends the previous release's wait; once it has finished, deploy. */
  | ({ action: "finish-then-deploy"; deploymentId: string; why: string } & Deploy)
  | { action: "refuse"; why: string };

/**
 * What CloudFormation's request means for the service. Only a new task
 * definition (a new image, new settings of the container) is released, and
 * only through CodeDeploy: CloudFormation itself cannot change the task
 * definition of a CODE_DEPLOY service. CodeDeploy runs one deployment per
 * deployment group at a time ("Number of concurrent deployments to a
 * deployment group: 1", https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html),
 * so an Update that meets an active one (a stack rollback right after a
 * release, whose old tasks are kept for the termination wait; a rollback after
 * the release's deadline; a deploy inside the previous release's wait) works
 * with it instead of starting a second one that CodeDeploy would refuse.
 */
export function decideRelease(event: ReleaseEvent, facts: ReleaseFacts = {}): ReleaseAction {
  if (event.RequestType === "Delete") return { action: "none", why: "Removing the stack removes no release: nothing to do." };
  const properties = ReleaseProperties.parse(event.ResourceProperties);
  if (event.RequestType === "Create") {
    return { action: "none", why: "First deploy: ECS starts the new service on this task definition by itself." };
  }
  const requested = properties.taskDefinitionArn;
  const previous = ReleaseProperties.safeParse(event.OldResourceProperties ?? {});
  if (previous.success && previous.data.taskDefinitionArn === requested) {
    return { action: "none", why: "The task definition did not change: nothing to release." };
  }
  const wanted = revisionOf(requested);
  const { active } = facts;
  if (!active) {
    if (facts.serving === requested) return { action: "none", why: `The service already runs ${wanted}: nothing to release.` };
    return { action: "deploy", ...deployOf(properties, previous.success ? revisionOf(previous.data.taskDefinitionArn) : undefined) };
  }
  const { deploymentId, phase } = active;
  const shipping = active.taskDefinitionArn ? revisionOf(active.taskDefinitionArn) : "an unknown revision";
  if (active.taskDefinitionArn === requested) {
    return phase === "termination-wait"
      ? { action: "none", why: `Users are on ${wanted} (deployment ${deploymentId}, in its termination wait): nothing to release.` }
      : { action: "follow", deploymentId, why: `Deployment ${deploymentId} already ships ${wanted}: waiting for it.` };
  }
  if (facts.up?.includes(requested)) {
    return {
      action: "roll-back",
      deploymentId,
      why: `${wanted}'s tasks are still up while deployment ${deploymentId} ships ${shipping} (${phase}): stopping it with rollback sends traffic back to them.`,
    };
  }
  if (phase === "termination-wait") {
    return {
      action: "finish-then-deploy",
      deploymentId,
      why: `Deployment ${deploymentId} (${shipping}) is in its termination wait: ending it, then releasing ${wanted}.`,
      ...deployOf(properties, shipping),
    };
  }
  return {
    action: "refuse",
    why: `Deployment ${deploymentId} is shipping ${shipping}, and CodeDeploy runs one deployment per group: wait for it or roll it back, then deploy ${wanted} again.`,
  };
}

function deployOf(properties: ReleaseProperties, from = "the running revision"): Deploy {
  return {
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
