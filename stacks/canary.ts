import { ECS_HOOKS, type EcsHook } from "@hands-off-ops/core/release/appspec";
import { Stack } from "aws-cdk-lib";
import type * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction } from "sst/constructs";
import type { StageSettings } from "./config";
import { suppressLambdaBasics } from "./nag-suppressions";
import { grantSendNotices } from "./notify";

interface CanaryWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  vpc: ec2.IVpc;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  testListenerPort: number;
  deploymentGroup: codedeploy.IEcsDeploymentGroup;
}

/**
 * One Lambda per lifecycle hook that has checks in the stage's settings, named
 * CodeDeployHook_* (the only names AWSCodeDeployRoleForECS may invoke). They
 * run in the VPC's private subnets and reach the internet-facing ALB through
 * the NAT gateways, whose addresses alone may use the test listener.
 */
export function canaryHooks({
  app,
  settings,
  vpc,
  loadBalancer,
  testListenerPort,
  deploymentGroup,
}: CanaryWiring): Partial<Record<EcsHook, lambda.IFunction>> {
  const stack = Stack.of(loadBalancer);
  const hooks: Partial<Record<EcsHook, lambda.IFunction>> = {};
  const host = loadBalancer.loadBalancerDnsName;
  const productionUrl = settings.domain ? `https://${settings.domain.name}` : `http://${host}`;
  const securityGroup = new ec2.SecurityGroup(stack, "CanaryHooks", {
    vpc,
    description: "Canary hooks: outbound HTTP(S) to the load balancer through NAT, and to AWS APIs",
    allowAllOutbound: true,
  });

  for (const hook of ECS_HOOKS) {
    if (settings.canary.hooks[hook].length === 0) continue;
    const functionName = `CodeDeployHook_${app.stage}-${hook}`;
    const fn = new SstFunction(stack, `Hook${hook}`, {
      functionName,
      handler: "functions/canary-hook.handler",
      runtime: "nodejs22.x",
      architecture: "arm_64",
      memorySize: 256,
      // Warm-up retries, then the comparison sample: minutes at most; the handler keeps reserveSeconds to report.
      timeout: 300,
      description: `${hook} hook of ${app.stage} ${app.name} releases: ${settings.canary.hooks[hook].join(" + ")}`,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      environment: {
        STAGE: app.stage,
        HOOK: hook,
        CANARY_SETTINGS: JSON.stringify(settings.canary),
        TEST_URL: `http://${host}:${testListenerPort}`,
        PRODUCTION_URL: productionUrl,
      },
    });
    suppressLambdaBasics(fn);
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "AWSLambdaVPCAccessExecutionRole only lets the function manage its own network interfaces in the VPC.",
          appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"],
        },
      ],
      true,
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["codedeploy:PutLifecycleEventHookExecutionStatus"],
        resources: [deploymentGroup.deploymentGroupArn],
      }),
    );
    grantSendNotices(fn);
    hooks[hook] = fn;
  }
  return hooks;
}
