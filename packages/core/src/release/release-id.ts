import * as z from "../zod";

/**
 * A release's id as every message, ticket and record names it: a CodeDeploy deployment id (d-7K2Q9ZB1C), or, with
 * the ecs controller, an ECS service deployment's id, the last part of its ARN
 * (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/EZe5RNVLH6PPzHXINuP28).
 */
export const RELEASE_ID_PATTERN = /^(?:d-[A-Z0-9]+|[A-Za-z0-9_-]{16,64})$/;
export const ReleaseId = z
  .string()
  .check(z.regex(RELEASE_ID_PATTERN, "must be a CodeDeploy deployment id (d-…) or an ECS service deployment id (the end of its ARN)"));

const SERVICE_DEPLOYMENT_ARN = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:service-deployment\/([^/]+)\/([^/]+)\/([A-Za-z0-9_-]{16,64})$/;

/** Cluster, service and id of an ECS service deployment ARN; null for anything else. */
export function parseServiceDeploymentArn(arn: string): { cluster: string; service: string; releaseId: string } | null {
  const match = SERVICE_DEPLOYMENT_ARN.exec(arn);
  if (!match) return null;
  const [, cluster, service, releaseId] = match as unknown as [string, string, string, string];
  return { cluster, service, releaseId };
}

/** An ECS service's ARN: arn:aws:ecs:<region>:<account>:service/<cluster>/<service>. */
export const EcsServiceArn = z
  .string()
  .check(z.regex(/^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:service\/[^/]+\/[^/]+$/, "must be an ECS service ARN"));
