import { Duration } from "aws-cdk-lib";
import * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { Observability } from "./Observability";
import { Service } from "./Service";

/**
 * How a new image reaches users: a CodeDeploy blue/green deployment group
 * that shifts traffic by the stage's canary settings and rolls back on its
 * own when a release alarm fires, while the old tasks are still there.
 */
export function Release({ stack }: StackContext) {
  const { release } = stageSettings(stack.stage);
  const { service, listener, testListener, blueTargetGroup, greenTargetGroup } = use(Service);
  const { releaseAlarms } = use(Observability);

  const deploymentConfig =
    release.canaryPercent === 100
      ? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE
      : new codedeploy.EcsDeploymentConfig(stack, "Canary", {
          trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({
            percentage: release.canaryPercent,
            interval: Duration.minutes(release.canaryMinutes),
          }),
        });

  const application = new codedeploy.EcsApplication(stack, "Application");
  const deploymentGroup = new codedeploy.EcsDeploymentGroup(stack, "DeploymentGroup", {
    application,
    service,
    deploymentConfig,
    alarms: releaseAlarms,
    blueGreenDeploymentConfig: {
      listener,
      testListener,
      blueTargetGroup,
      greenTargetGroup,
      terminationWaitTime: Duration.minutes(release.blueTerminationWaitMinutes),
    },
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
  });

  NagSuppressions.addResourceSuppressions(
    deploymentGroup,
    [
      {
        id: "AwsSolutions-IAM4",
        reason:
          "AWSCodeDeployRoleForECS is the policy AWS maintains for ECS blue/green; it tracks the CodeDeploy API and limits hook invocations to CodeDeployHook_* functions.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS"],
      },
    ],
    true,
  );

  return { application, deploymentGroup };
}
