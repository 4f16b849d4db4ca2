import { stagesWithChecks } from "@hands-off-ops/core/canary/ecs-stages";
import { Stack } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import { automationFunction } from "./automation-function";
import { hookNetwork } from "./canary";
import type { StageSettings } from "./config";
import { ecsHookVariables } from "./lambda-environment";
import { suppressLambdaBasics, suppressVpcAccess } from "./nag-suppressions";
import { alarmName } from "./names";
import { grantSendNotices } from "./notify";
import { grantSmokeSecrets } from "./smoke-secrets";
import { grantWildcardOnly } from "./wildcard-actions";

/** The production and test listener rules ECS shifts, and the two target groups they forward to. */
export interface EcsTraffic {
  productionRule: elbv2.ApplicationListenerRule;
  testRule: elbv2.ApplicationListenerRule;
  productionListener: elbv2.ApplicationListener;
  testListener: elbv2.ApplicationListener;
  blueTargetGroup: elbv2.ApplicationTargetGroup;
  greenTargetGroup: elbv2.ApplicationTargetGroup;
}

/**
 * The strategy and the L1 properties the pinned aws-cdk-lib (2.224) has no L2 for: CANARY and its
 * configuration came to the L2 in 2.236. canaryPercent 100 is blue/green all at once; the stage's blue
 * termination wait is ECS's bake time (the previous revision kept, alarms still roll back).
 */
export function ecsDeploymentConfiguration(release: StageSettings["release"]) {
  return release.canaryPercent === 100
    ? { Strategy: "BLUE_GREEN", BakeTimeInMinutes: release.blueTerminationWaitMinutes }
    : {
        Strategy: "CANARY",
        BakeTimeInMinutes: release.blueTerminationWaitMinutes,
        CanaryConfiguration: { CanaryPercent: release.canaryPercent, CanaryBakeTimeInMinutes: release.canaryMinutes },
      };
}

/**
 * The role ECS assumes to move traffic (the load balancer's "advanced configuration"): what AWS's managed
 * AmazonECSInfrastructureRolePolicyForLoadBalancers allows, narrowed to this service's two rules, two listeners
 * and two target groups. The four reads have no resource type in the Service Authorization Reference.
 */
export function trafficRole(stack: Stack, traffic: EcsTraffic): iam.Role {
  const role = new iam.Role(stack, "EcsTrafficRole", {
    assumedBy: new iam.ServicePrincipal("ecs.amazonaws.com"),
    description: "ECS shifts this service's production and test listener rules between its blue and green target groups",
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["elasticloadbalancing:ModifyRule"],
      resources: [traffic.productionRule.listenerRuleArn, traffic.testRule.listenerRuleArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["elasticloadbalancing:ModifyListener"],
      resources: [traffic.productionListener.listenerArn, traffic.testListener.listenerArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      resources: [traffic.blueTargetGroup.targetGroupArn, traffic.greenTargetGroup.targetGroupArn],
    }),
  );
  grantWildcardOnly(role, [
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
  ]);
  return role;
}

interface EcsReleaseWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  service: ecs.FargateService;
  containerName: string;
  containerPort: number;
  traffic: EcsTraffic;
  /** The release alarms' ids (names.ts releaseAlarmIds). */
  alarms: string[];
  vpc: ec2.IVpc;
  urls: { testUrl: string; productionUrl: string };
}

/**
 * ECS runs the release itself (release.controller "ecs"): a new task definition in the template updates the
 * service, ECS starts the green revision, runs the lifecycle hook, shifts test then production traffic (a canary
 * step first), keeps blue for the bake time, and rolls back on FAILED or a release alarm. CloudFormation waits
 * for it, so `sst deploy` fails when ECS rolls back. No CodeDeploy application, group or Custom::Release.
 *
 * aws/aws-cdk#36649: CloudFormation resets a listener rule's action to the template's whenever it updates the
 * rule, whatever weights ECS has set since; with blue empty after a release, users would get 503s. The rules here
 * take nothing a release or a setting changes (fixed priority, path, target groups): a deploy never updates them.
 * tests/infra/release-ecs.test.ts holds that over a new image and changed release settings.
 */
export function releaseThroughEcs({ app, settings, service, containerName, containerPort, traffic, alarms, vpc, urls }: EcsReleaseWiring) {
  const stack = Stack.of(service);
  const cfn = service.node.defaultChild as ecs.CfnService;
  for (const [key, value] of Object.entries(ecsDeploymentConfiguration(settings.release)))
    cfn.addPropertyOverride(`DeploymentConfiguration.${key}`, value);
  // The alarms are created by the Observability stack, which deploys after this one: referenced by name.
  cfn.addPropertyOverride("DeploymentConfiguration.Alarms", {
    AlarmNames: alarms.map((id) => alarmName(app, id)),
    Enable: true,
    Rollback: true,
  });

  service
    .loadBalancerTarget({
      containerName,
      containerPort,
      alternateTarget: new ecs.AlternateTarget("Green", {
        alternateTargetGroup: traffic.greenTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(traffic.productionRule),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(traffic.testRule),
        role: trafficRole(stack, traffic),
      }),
    })
    .attachToApplicationTargetGroup(traffic.blueTargetGroup);

  const stages = stagesWithChecks(settings.canary.hooks);
  if (stages.length === 0) return { hook: undefined };
  const hook = ecsLifecycleHook(stack, { app, settings, vpc, urls });
  // The first deployment of the service has nothing to compare with: the hook asks ECS whether it is one. Named by
  // the cluster, not the service: the service names the hook, so a reference back would be a cycle (cfn-lint E3004).
  const clusterName = service.cluster.clusterName;
  hook.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["ecs:DescribeServiceDeployments"],
      resources: [
        stack.formatArn({ service: "ecs", resource: "service", resourceName: `${clusterName}/*` }),
        stack.formatArn({ service: "ecs", resource: "service-deployment", resourceName: `${clusterName}/*/*` }),
      ],
    }),
  );
  NagSuppressions.addResourceSuppressions(
    hook,
    [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "Service deployments of the services of this stage's cluster, which holds this one service: ECS makes their ids at each release, and the service itself cannot be named here (it names this hook).",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:ecs:.+:service(-deployment)?\\/.+\\/\\*(\\/\\*)?$/g" }],
      },
    ],
    true,
  );
  service.addLifecycleHook(
    new ecs.DeploymentLifecycleLambdaTarget(hook, "EcsHook", {
      lifecycleStages: stages.map((stage) => ecs.DeploymentLifecycleStage[stage as keyof typeof ecs.DeploymentLifecycleStage]),
    }),
  );
  return { hook };
}

/**
 * One function for every stage with checks; the stage comes in the event. Its timeout is one slice of a
 * comparison: a longer one answers IN_PROGRESS and goes on at ECS's next invocation.
 */
function ecsLifecycleHook(
  stack: Stack,
  {
    app,
    settings,
    vpc,
    urls,
  }: { app: { stage: string; name: string }; settings: StageSettings; vpc: ec2.IVpc; urls: EcsReleaseWiring["urls"] },
) {
  const fn = automationFunction(stack, "EcsHook", {
    handler: "functions/ecs-hook.handler",
    // One full vCPU, as the CodeDeploy hooks (stacks/canary.ts): the comparison's latencies must not measure a starved CPU.
    memorySize: 1769,
    timeout: 120,
    description: `ECS lifecycle hook of ${app.stage} ${app.name} releases: ${stagesWithChecks(settings.canary.hooks).join(", ")}`,
    ...hookNetwork(stack, vpc),
    environment: ecsHookVariables(app, settings, urls),
  });
  suppressLambdaBasics(fn);
  suppressVpcAccess(fn);
  grantSendNotices(fn);
  grantSmokeSecrets(fn, settings);
  return fn;
}
