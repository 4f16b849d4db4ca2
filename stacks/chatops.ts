import { ArnFormat, CfnOutput, type Stack } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction } from "sst/constructs";
import type { StageSettings } from "./config";
import { chatOpsVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";

interface ChatOpsWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  stateTable: dynamodb.ITableV2;
  slackSecret: secretsmanager.ISecret;
  /** Carries out "Do it": the same decision, claim, cooldown and cap as its own alarms. */
  rollback: lambda.IFunction;
}

/** Clicks are rare; this is far above what a team presses and far below what could run up a bill or flood Slack. */
const THROTTLE = { rateLimit: 5, burstLimit: 10 };

/**
 * Slack's interactivity endpoint: an HTTP API (throttled in front) calling
 * one function that verifies Slack's signature before it reads anything
 * (Slack cannot sign SigV4, so the API itself has no authorizer), resolves
 * the pressed button from the state table and hands the click to itself,
 * invoked asynchronously.
 */
export function slackActions(stack: Stack, wiring: ChatOpsWiring) {
  const { app, settings, stateTable, slackSecret, rollback } = wiring;
  // Named, so that the function may invoke itself without a reference to itself in its own role (a cycle).
  const functionName = `${app.stage}-${app.name}-slack-actions`;
  const fn = new SstFunction(stack, "SlackActions", {
    handler: "functions/slack-actions.handler",
    functionName,
    memorySize: 512,
    // The answer to Slack is due within 3 s; the asynchronous half updates one message.
    timeout: 30,
    description: `Slack buttons of ${app.stage} ${app.name}: verifies Slack's signature, then acts on the incident`,
    environment: chatOpsVariables(app, settings, {
      tableName: stateTable.tableName,
      slackSecretId: slackSecret.secretArn,
      rollbackFunction: rollback.functionArn,
    }),
  });
  suppressLambdaBasics(fn);
  // A failed click is not retried blindly into a second action: its ticket is already used, and the audit says so.
  fn.configureAsyncInvoke({ retryAttempts: 0 });
  slackSecret.grantRead(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      // Tickets (read, used once), the incident it acts on, and the audit record.
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      resources: [stateTable.tableArn],
    }),
  );
  // The function itself, not its versions (grantInvoke would add ":*", a wildcard nothing here needs).
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [rollback.functionArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["lambda:InvokeFunction"],
      resources: [
        stack.formatArn({ service: "lambda", resource: "function", resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
    }),
  );

  const accessLogs = new logs.LogGroup(stack, "SlackActionsAccessLogs", { retention: logs.RetentionDays.THREE_MONTHS });
  const api = new apigwv2.HttpApi(stack, "SlackActionsApi", {
    description: `Slack interactivity of ${app.stage} ${app.name}`,
    createDefaultStage: false,
  });
  api.addRoutes({
    path: "/slack/actions",
    methods: [apigwv2.HttpMethod.POST],
    integration: new HttpLambdaIntegration("SlackActionsIntegration", fn),
  });
  const apiStage = new apigwv2.HttpStage(stack, "SlackActionsStage", { httpApi: api, autoDeploy: true, throttle: THROTTLE });
  const cfnStage = apiStage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.accessLogSettings = {
    destinationArn: accessLogs.logGroupArn,
    format: JSON.stringify({
      requestId: "$context.requestId",
      ip: "$context.identity.sourceIp",
      status: "$context.status",
      time: "$context.requestTime",
    }),
  };
  NagSuppressions.addResourceSuppressions(
    api,
    [
      {
        id: "AwsSolutions-APIG4",
        reason: "Slack cannot sign SigV4 or present a token: the function verifies Slack's HMAC signature before it parses anything.",
      },
    ],
    true,
  );

  new CfnOutput(stack, "SlackActionsUrl", {
    description: "The Slack app's interactivity request URL (npm run ops -- slack-manifest prints the whole manifest)",
    value: `${api.apiEndpoint}/slack/actions`,
  });
  return { fn, api };
}
