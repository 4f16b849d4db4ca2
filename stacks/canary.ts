import { ECS_HOOKS, type EcsHook } from "@hands-off-ops/core/release/appspec";
import { Duration, Fn, Stack } from "aws-cdk-lib";
import type * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import { NagSuppressions } from "cdk-nag";
import { automationFunction } from "./automation-function";
import type { StageSettings } from "./config";
import { hookVariables, watchVariables } from "./lambda-environment";
import { suppressLambdaBasics, suppressVpcAccess } from "./nag-suppressions";
import { grantSendNotices } from "./notify";
import { letSchedulerInvoke, schedulerRole } from "./scheduler-role";
import { grantSmokeSecrets } from "./smoke-secrets";
import { grantWildcardOnly } from "./wildcard-actions";

interface CanaryWiring {
  stack: Stack;
  app: { stage: string; name: string };
  settings: StageSettings;
  vpc: ec2.IVpc;
  /** The test listener (the new tasks) and the production URL (the current ones, the new ones after AllowTraffic). */
  urls: { testUrl: string; productionUrl: string };
}

/**
 * One Lambda per lifecycle hook that has checks in the stage's settings, named
 * CodeDeployHook_* (the only names AWSCodeDeployRoleForECS may invoke). They
 * run in the VPC's private subnets and reach the internet-facing ALB through
 * the NAT gateways, whose addresses alone may use the test listener.
 */
export function canaryHooks({ stack, app, settings, vpc, urls }: CanaryWiring): Partial<Record<EcsHook, lambda.IFunction>> {
  const hooks: Partial<Record<EcsHook, lambda.IFunction>> = {};
  const network = hookNetwork(stack, vpc);
  for (const hook of ECS_HOOKS) {
    if (settings.canary.hooks[hook].length === 0) continue;
    const functionName = `CodeDeployHook_${app.stage}-${hook}`;
    const fn = automationFunction(stack, `Hook${hook}`, {
      functionName,
      handler: "functions/canary-hook.handler",
      // One full vCPU (Lambda gives memory/1,769 MB of one): the comparison's 400 requests cost ~0.7 s of CPU
      // (npm run bench:lambda); at 256 MB they would take ~5 s, and a starved CPU adds noise to the latencies it compares.
      memorySize: 1769,
      // Warm-up retries, then the comparison sample: minutes at most; the handler keeps reserveSeconds to report.
      timeout: 300,
      description: `${hook} hook of ${app.stage} ${app.name} releases: ${settings.canary.hooks[hook].join(" + ")}`,
      ...network,
      environment: hookVariables(app, settings, hook, urls),
    });
    suppressLambdaBasics(fn);
    suppressVpcAccess(fn);
    grantWildcardOnly(fn, ["codedeploy:PutLifecycleEventHookExecutionStatus"]);
    grantSendNotices(fn);
    grantSmokeSecrets(fn, settings);
    hooks[hook] = fn;
  }
  return hooks;
}

/**
 * Where the hooks run (CodeDeploy's and ECS's alike): the VPC's private subnets, reaching the internet-facing ALB
 * through the NAT gateways, whose addresses alone may use the test listener.
 */
export function hookNetwork(stack: Stack, vpc: ec2.IVpc) {
  const securityGroup = new ec2.SecurityGroup(stack, "CanaryHooks", {
    vpc,
    description: "Canary hooks: outbound HTTP(S) to the load balancer through NAT, and to AWS APIs",
    allowAllOutbound: true,
  });
  return { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [securityGroup] };
}

interface WatchWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  service: ecs.FargateService;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroups: elbv2.ApplicationTargetGroup[];
  /** CodeDeploy's group, or (release.controller "ecs") the production and test listener rules ECS shifts. */
  releases:
    | { controller: "codedeploy"; deploymentGroup: codedeploy.IEcsDeploymentGroup }
    | { controller: "ecs"; productionRule: elbv2.ApplicationListenerRule; testRule: elbv2.ApplicationListenerRule };
}

/**
 * The canary watch: CodeDeploy's state changes of this deployment group (or
 * ECS's of this service) start and end a one-minute EventBridge Scheduler
 * schedule per release; each tick compares the two target groups and may stop
 * the release with rollback.
 */
export function canaryWatch({ app, settings, service, loadBalancer, targetGroups, releases }: WatchWiring) {
  if (!settings.canary.watch.enabled) return undefined;
  const stack = Stack.of(loadBalancer);
  const groupName = `${app.stage}-${app.name}-canary-watch`;
  const scheduleGroup = new scheduler.CfnScheduleGroup(stack, "CanaryWatchSchedules", { name: groupName });
  const invoker = schedulerRole(stack, "CanaryWatchScheduler", "Lets EventBridge Scheduler invoke the canary watch while a release runs");

  const fn = automationFunction(stack, "CanaryWatch", {
    handler: "functions/canary-watch.handler",
    // Peak 57 MB; a cold tick costs ~0.14 s of CPU, and the tick then mostly waits between polls.
    memorySize: 256,
    // One scheduled minute of polling, plus the reserve the handler keeps to finish.
    timeout: 70,
    description: `Watches ${app.stage} ${app.name} canary releases and stops a regressing one`,
    environment: watchVariables(app, settings, {
      targetId: `${service.cluster.clusterName}:${service.serviceName}`,
      targetGroups: Fn.join(
        ",",
        targetGroups.map((tg) => tg.targetGroupFullName),
      ),
      loadBalancer: loadBalancer.loadBalancerFullName,
      scheduleGroup: groupName,
      schedulerRoleArn: invoker.roleArn,
      ...(releases.controller === "ecs"
        ? {
            ecs: {
              serviceArn: service.serviceArn,
              listenerRules: Fn.join(",", [releases.productionRule.listenerRuleArn, releases.testRule.listenerRuleArn]),
            },
          }
        : {}),
    }),
  });
  suppressLambdaBasics(fn);
  fn.node.addDependency(scheduleGroup);
  letSchedulerInvoke(invoker, fn);
  grantSendNotices(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
      resources: [stack.formatArn({ service: "scheduler", resource: "schedule", resourceName: `${groupName}/watch-*` })],
    }),
  );
  if (releases.controller === "ecs") {
    const deployments = stack.formatArn({
      service: "ecs",
      resource: "service-deployment",
      resourceName: `${service.cluster.clusterName}/${service.serviceName}/*`,
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
        resources: [service.serviceArn, deployments],
      }),
    );
    // The release an ECS event is about: its detail names only ECS's older deployment id.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["ecs:ListServiceDeployments"], resources: [service.serviceArn] }));
    // The fast path: the task definition of each of the release's service revisions (resource types service, service-revision).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ecs:DescribeServiceRevisions"],
        resources: [
          service.serviceArn,
          stack.formatArn({
            service: "ecs",
            resource: "service-revision",
            resourceName: `${service.cluster.clusterName}/${service.serviceName}/*`,
          }),
        ],
      }),
    );
    grantWildcardOnly(fn, ["elasticloadbalancing:DescribeRules", "cloudwatch:GetMetricData"]);
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: "AwsSolutions-IAM5",
          reason: "Service deployments of this one service: ECS makes their ids at each release.",
          appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:ecs:.+:service-deployment\\/.+\\/\\*$/g" }],
        },
        {
          id: "AwsSolutions-IAM5",
          reason: "Service revisions of this one service: ECS makes their ids at each release.",
          appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:ecs:.+:service-revision\\/.+\\/\\*$/g" }],
        },
      ],
      true,
    );
  } else {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["codedeploy:GetDeployment"], resources: [releases.deploymentGroup.deploymentGroupArn] }),
    );
    grantWildcardOnly(fn, ["codedeploy:GetDeploymentTarget", "codedeploy:StopDeployment", "cloudwatch:GetMetricData"]);
    // The fast path: which task definition revision each of the release's task sets runs (their ids are CodeDeploy's).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ecs:DescribeTaskSets"],
        resources: [
          stack.formatArn({
            service: "ecs",
            resource: "task-set",
            resourceName: `${service.cluster.clusterName}/${service.serviceName}/*`,
          }),
        ],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: "AwsSolutions-IAM5",
          reason: "Task sets of this one service: CodeDeploy makes their ids at each release.",
          appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:ecs:.+:task-set\\/.+\\/\\*$/g" }],
        },
      ],
      true,
    );
  }
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "One schedule per release, named watch-<deployment id>: only schedules of this stage's watch group match.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:scheduler:.+:schedule\\/.+\\/watch-\\*$/g" }],
      },
    ],
    true,
  );

  new events.Rule(stack, "CanaryWatchReleases", {
    description: "Starts and ends the canary watch of each release of the service",
    eventPattern:
      releases.controller === "ecs"
        ? { source: ["aws.ecs"], detailType: ["ECS Deployment State Change"], resources: [service.serviceArn] }
        : {
            source: ["aws.codedeploy"],
            detailType: ["CodeDeploy Deployment State-change Notification"],
            detail: { application: [stack.stackName], deploymentGroup: [stack.stackName], state: ["START", "SUCCESS", "FAILURE", "STOP"] },
          },
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
  });
  return fn;
}
