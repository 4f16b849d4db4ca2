import { ecsAppSpec } from "../release/appspec";
import type { RollbackDecision } from "./decide";

/** Where the service's releases run: what a person needs to act in CodeDeploy, or in ECS, by hand. */
export type ReleaseGroup = CodeDeployGroup | EcsReleases;

export interface CodeDeployGroup {
  controller: "codedeploy";
  applicationName: string;
  deploymentGroupName: string;
  containerName: string;
  containerPort: number;
  /** The Lambda's AWS_REGION; commands and links name it when known. */
  region?: string;
}

/** release.controller "ecs": ECS's own service deployments of the service. */
export interface EcsReleases {
  controller: "ecs";
  /** arn:aws:ecs:<region>:<account>:service/<cluster>/<service> */
  serviceArn: string;
  cluster: string;
  service: string;
  region?: string;
}

/** Who runs the releases, as messages name it. */
export const controllerName = (group: ReleaseGroup) => (group.controller === "ecs" ? "ECS" : "CodeDeploy");

/** A service deployment's ARN from its id (release-id.ts): the service's ARN with service-deployment for service. */
export function serviceDeploymentArn(serviceArn: string, releaseId: string): string {
  return `${serviceArn.replace(":service/", ":service-deployment/")}/${releaseId}`;
}

/** A rollback goes back to a version that ran before: all at once, without a canary (as the automation does). */
export const ROLLBACK_DEPLOYMENT_CONFIG = "CodeDeployDefault.ECSAllAtOnce";

/**
 * What a person runs to do what the automation decided and, in dry-run, did
 * not: the exact AWS CLI command, the same call the automation would make.
 */
export function byHand(decision: Exclude<RollbackDecision, { action: "none" }>, group: ReleaseGroup): string {
  const region = group.region ? ` --region ${group.region}` : "";
  if (group.controller === "ecs") {
    if (decision.action === "stop-deployment")
      return `aws ecs stop-service-deployment --service-deployment-arn ${serviceDeploymentArn(group.serviceArn, decision.deploymentId)} --stop-type ROLLBACK${region}`;
    // ECS runs the update as a release of its own (blue/green, the stage's canary and its hooks).
    return `aws ecs update-service --cluster ${group.cluster} --service ${group.service} --task-definition ${decision.to}${region}`;
  }
  if (decision.action === "stop-deployment")
    return `aws deploy stop-deployment --deployment-id ${decision.deploymentId} --auto-rollback-enabled${region}`;
  const revision = {
    revisionType: "AppSpecContent",
    appSpecContent: {
      content: ecsAppSpec({
        taskDefinitionArn: decision.to,
        containerName: group.containerName,
        containerPort: group.containerPort,
        hooks: {},
      }),
    },
  };
  return [
    "aws deploy create-deployment",
    `--application-name ${group.applicationName}`,
    `--deployment-group-name ${group.deploymentGroupName}`,
    `--deployment-config-name ${ROLLBACK_DEPLOYMENT_CONFIG}`,
    `--description "Rollback by hand of ${decision.badDeploymentId}"`,
    `--revision '${JSON.stringify(revision)}'${region}`,
  ].join(" ");
}
