import { Duration, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { automationFunction } from "./automation-function";
import type { StageSettings } from "./config";
import { suppressLambdaBasics, suppressVpcAccess } from "./nag-suppressions";
import { grantSmokeSecrets } from "./smoke-secrets";

/** Fixed, so that the stage's GitHub deploy role may invoke this function and no other (stacks/GitHubAccess.ts). */
export const deploySmokeFunctionName = (stage: string, appName: string) => `${stage}-${appName}-deploy-smoke`;

/**
 * The deploy workflow's smoke checks and its wait for /ready, from inside the VPC: GitHub's hosted runners have
 * hosting providers' addresses, which the firewall's anonymous-IP rules block; this function reaches the
 * production URL through the stage's NAT gateways, as the canary hooks do.
 */
export function deploySmoke(props: {
  stack: Stack;
  app: { stage: string; name: string };
  settings: StageSettings;
  vpc: ec2.IVpc;
  productionUrl: string;
}) {
  const { stack, app, settings, vpc, productionUrl } = props;
  const securityGroup = new ec2.SecurityGroup(stack, "DeploySmokeNetwork", {
    vpc,
    description: "Deploy smoke: outbound HTTP(S) to the load balancer through NAT",
    allowAllOutbound: true,
  });
  const fn = automationFunction(stack, "DeploySmoke", {
    functionName: deploySmokeFunctionName(app.stage, app.name),
    handler: "functions/deploy-smoke.handler",
    memorySize: 256,
    // Lambda's limit: the wait for /ready (720 s at most, DeploySmokeRequest) and then the suite (120 s at most).
    timeout: Duration.minutes(15).toSeconds(),
    description: `The deploy workflow's smoke checks of ${app.stage} ${app.name}, from inside the VPC`,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
    environment: { STAGE: app.stage, CANARY_SETTINGS: JSON.stringify(settings.canary), PRODUCTION_URL: productionUrl },
  });
  suppressLambdaBasics(fn);
  suppressVpcAccess(fn);
  grantSmokeSecrets(fn, settings);
  return fn;
}
