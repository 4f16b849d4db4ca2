import { Duration, Stack } from "aws-cdk-lib";
import * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { grantReadAlarms } from "./alarm-access";
import { automationFunction } from "./automation-function";
import type { StageSettings } from "./config";
import { rollbackVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";
import { alarmName } from "./names";
import { grantSendNotices } from "./notify";
import type { ServiceReleases } from "./Service";
import { grantWildcardOnly } from "./wildcard-actions";
import type { WorkerDeployment } from "./workers";

interface RollbackWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  releases: ServiceReleases;
  taskDefinition: ecs.FargateTaskDefinition;
  /** The stage's workers: their own alarms blame no release of the public service. */
  workers: WorkerDeployment[];
  stateTable: dynamodb.ITableV2;
  deadLetters: sqs.IQueue;
}

/**
 * The rollback function: every alarm of the stage going to ALARM, decided
 * against the releases' history (CodeDeploy's, or ECS's own service
 * deployments) and the ledger in the state table; it may only act on this
 * service's deployment group, or on this service.
 */
export function rollbackOnAlarm(
  stack: Stack,
  { app, settings, releases, taskDefinition, workers, stateTable, deadLetters }: RollbackWiring,
) {
  const container = taskDefinition.defaultContainer;
  if (!container) throw new Error("The task definition has no container to roll back");
  const fn = automationFunction(stack, "Rollback", {
    handler: "functions/rollback.handler",
    // Stopping a bad release is a race: a cold start costs ~0.19 s of CPU (bench:lambda), ~1.3 s at 256 MB, ~0.33 s at 1 GB. Peak 68 MB.
    memorySize: 1024,
    // A handful of CodeDeploy and DynamoDB calls, each retried by the SDK on throttling.
    timeout: 60,
    description: `Rolls back ${app.stage} ${app.name} releases when their alarms fire (${settings.automationMode})`,
    environment: rollbackVariables(app, settings, {
      tableName: stateTable.tableName,
      releases:
        releases.controller === "ecs"
          ? { controller: "ecs", serviceArn: releases.service.serviceArn }
          : {
              controller: "codedeploy",
              applicationName: releases.deploymentGroup.application.applicationName,
              deploymentGroupName: releases.deploymentGroup.deploymentGroupName,
              containerName: container.containerName,
            },
      workers: workers.map((w) => ({ name: w.name, ecsService: w.service.serviceName })),
    }),
  });
  suppressLambdaBasics(fn);
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(deadLetters) });
  if (releases.controller === "ecs") grantEcsRollbacks(fn, releases.service, taskDefinition);
  else grantCodeDeployRollbacks(fn, releases.deploymentGroup);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      // Claims, rollbacks started, the audit trail and idempotency records.
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
      resources: [stateTable.tableArn],
    }),
  );
  grantSendNotices(fn);
  grantReadAlarms(fn, stack, alarmName(app, ""));

  new events.Rule(stack, "RollbackOnAlarm", {
    description: "Every alarm of the stage going to ALARM: the rollback function decides whether a release is to blame",
    eventPattern: {
      source: ["aws.cloudwatch"],
      detailType: ["CloudWatch Alarm State Change"],
      detail: { alarmName: events.Match.prefix(alarmName(app, "")), state: { value: ["ALARM"] } },
    },
    targets: [new targets.LambdaFunction(fn, { deadLetterQueue: deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(1) })],
  });
  return fn;
}

function grantCodeDeployRollbacks(fn: lambda.Function, deploymentGroup: codedeploy.IEcsDeploymentGroup) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:ListDeployments", "codedeploy:BatchGetDeployments", "codedeploy:CreateDeployment"],
      resources: [deploymentGroup.deploymentGroupArn],
    }),
  );
  grantWildcardOnly(fn, ["codedeploy:StopDeployment"]);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:GetDeploymentConfig"],
      // The group's own config (a stop rolls back through it) and the all-at-once config a rollback deploys with.
      resources: [deploymentGroup.deploymentConfig.deploymentConfigArn, codedeploy.EcsDeploymentConfig.ALL_AT_ONCE.deploymentConfigArn],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:RegisterApplicationRevision", "codedeploy:GetApplicationRevision"],
      resources: [deploymentGroup.application.applicationArn],
    }),
  );
}

/**
 * ECS's own deployments of this one service: list them, read their revisions' task definitions, stop one with
 * rollback, and update the service back to a task definition (which passes the task's two roles to ECS).
 */
function grantEcsRollbacks(fn: lambda.Function, service: ecs.FargateService, taskDefinition: ecs.FargateTaskDefinition) {
  const stack = Stack.of(service);
  const under = (resource: string) =>
    stack.formatArn({ service: "ecs", resource, resourceName: `${service.cluster.clusterName}/${service.serviceName}/*` });
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ["ecs:ListServiceDeployments", "ecs:UpdateService"], resources: [service.serviceArn] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ["ecs:StopServiceDeployment"], resources: [service.serviceArn, under("service-deployment")] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ["ecs:DescribeServiceRevisions"], resources: [service.serviceArn, under("service-revision")] }),
  );
  const roles = [taskDefinition.taskRole, taskDefinition.executionRole].flatMap((role) => (role ? [role.roleArn] : []));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["iam:PassRole"],
      resources: roles,
      conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "Service deployments and revisions of this one service: ECS makes their ids at each release.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:ecs:.+:service-(deployment|revision)\\/.+\\/\\*$/g" }],
      },
    ],
    true,
  );
}
