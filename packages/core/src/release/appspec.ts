/** The CodeDeploy lifecycle hooks of an ECS blue/green deployment, in the order they run. */
export const ECS_HOOKS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type EcsHook = (typeof ECS_HOOKS)[number];

export interface ReleaseTarget {
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  /** Lambda function name (or ARN) per hook; hooks not named are not run. */
  hooks: Partial<Record<EcsHook, string>>;
}

/**
 * The AppSpec (JSON form) of an ECS blue/green deployment of one task
 * definition, with `"version": 0.0` written as AWS documents it:
 * JSON.stringify would print the number 0.0 as `0`.
 */
export function ecsAppSpec(target: ReleaseTarget): string {
  const hooks = ECS_HOOKS.flatMap((hook) => (target.hooks[hook] ? [{ [hook]: target.hooks[hook] }] : []));
  const body = JSON.stringify({
    Resources: [
      {
        TargetService: {
          Type: "AWS::ECS::Service",
          Properties: {
            TaskDefinition: target.taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: target.containerName, ContainerPort: target.containerPort },
          },
        },
      },
    ],
    ...(hooks.length > 0 ? { Hooks: hooks } : {}),
  });
  return `{"version":0.0,${body.slice(1)}`;
}

/** The task definition an ECS AppSpec (JSON, as Custom::Release and the rollback write it) deploys. */
export function taskDefinitionOf(appSpec: string | undefined): string | undefined {
  if (!appSpec) return undefined;
  try {
    const parsed = JSON.parse(appSpec) as { Resources?: { TargetService?: { Properties?: { TaskDefinition?: string } } }[] };
    return parsed.Resources?.[0]?.TargetService?.Properties?.TaskDefinition;
  } catch {
    return undefined;
  }
}
