import { Duration, type Stack } from "aws-cdk-lib";
import * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction } from "sst/constructs";
import type { StageSettings } from "./config";
import { rollbackVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";
import { alarmName } from "./names";
import { grantSendNotices } from "./notify";
import { grantWildcardOnly } from "./wildcard-actions";

interface RollbackWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  deploymentGroup: codedeploy.IEcsDeploymentGroup;
  taskDefinition: ecs.FargateTaskDefinition;
  stateTable: dynamodb.ITableV2;
  deadLetters: sqs.IQueue;
}

/**
 * The rollback function: every alarm of the stage going to ALARM, decided
 * against CodeDeploy's history and the ledger in the state table; it may
 * only act on this service's deployment group.
 */
export function rollbackOnAlarm(stack: Stack, { app, settings, deploymentGroup, taskDefinition, stateTable, deadLetters }: RollbackWiring) {
  const container = taskDefinition.defaultContainer;
  if (!container) throw new Error("The task definition has no container to roll back");
  const fn = new SstFunction(stack, "Rollback", {
    handler: "functions/rollback.handler",
    // Stopping a bad release is a race: a cold start costs ~0.25 s of CPU (bench:lambda), ~1.75 s at 256 MB, ~0.45 s at 1 GB. Peak 64 MB.
    memorySize: 1024,
    // A handful of CodeDeploy and DynamoDB calls, each retried by the SDK on throttling.
    timeout: 60,
    description: `Rolls back ${app.stage} ${app.name} releases when their alarms fire (${settings.automationMode})`,
    environment: rollbackVariables(app, settings, {
      tableName: stateTable.tableName,
      applicationName: deploymentGroup.application.applicationName,
      deploymentGroupName: deploymentGroup.deploymentGroupName,
      containerName: container.containerName,
    }),
  });
  suppressLambdaBasics(fn);
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(deadLetters) });
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
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      // Claims, rollbacks started, the audit trail and idempotency records.
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
      resources: [stateTable.tableArn],
    }),
  );
  grantSendNotices(fn);

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
