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
