import { ecsAppSpec } from "../release/appspec";
import type { ReleaseGroup } from "../release/release-group";
import { serviceDeploymentArn } from "../release/release-group";
import type { RollbackDecision } from "./decide";

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
