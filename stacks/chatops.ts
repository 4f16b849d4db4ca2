import { APPROVAL_DETAIL_TYPE } from "@hands-off-ops/core/chatops/gate";
import { AUTOMATION_SOURCE } from "@hands-off-ops/core/notify/sources/automation";
import { ArnFormat, CfnOutput, Duration, type Stack } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { automationFunction } from "./automation-function";
import type { StageSettings } from "./config";
import { chatOpsVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";
import { grantSendNotices } from "./notify";
import { letSchedulerInvoke, schedulerRole } from "./scheduler-role";
import { grantWildcardOnly } from "./wildcard-actions";

interface ChatOpsWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  stateTable: dynamodb.ITableV2;
  slackSecret: secretsmanager.ISecret;
  /** Carries out "Do it" and "Roll back": the same decision, claim, cooldown and cap as its own alarms. */
  rollback: lambda.IFunction;
  /** Carries out "Keep awake" (non-production stages with a schedule). */
  schedule: lambda.IFunction | undefined;
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
  const { app, settings, stateTable, slackSecret, rollback, schedule } = wiring;
  // Named, so that the function may invoke itself without a reference to itself in its own role (a cycle).
  const functionName = `${app.stage}-${app.name}-slack-actions`;
  const functionArn = stack.formatArn({
    service: "lambda",
    resource: "function",
    resourceName: functionName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const deadlineGroup = `${app.stage}-${app.name}-approvals`;
  const scheduleGroup = new scheduler.CfnScheduleGroup(stack, "ApprovalDeadlines", { name: deadlineGroup });
  const invoker = schedulerRole(
    stack,
    "ApprovalDeadlineScheduler",
    "Lets EventBridge Scheduler settle a release's approval at its deadline",
  );
  const fn = automationFunction(stack, "SlackActions", {
    handler: "functions/slack-actions.handler",
    functionName,
    memorySize: 512,
    // The answer to Slack is due within 3 s; the asynchronous half updates one message.
    timeout: 30,
    description: `Slack buttons of ${app.stage} ${app.name}: verifies Slack's signature, then acts on incidents, releases and sleep; keeps approval gates`,
    environment: chatOpsVariables(app, settings, {
      tableName: stateTable.tableName,
      slackSecretId: slackSecret.secretArn,
      rollbackFunction: rollback.functionArn,
      scheduleFunction: schedule?.functionArn ?? null,
      deadlines: { groupName: deadlineGroup, roleArn: invoker.roleArn, functionArn },
    }),
  });
  fn.node.addDependency(scheduleGroup);
  letSchedulerInvoke(invoker, fn);
  grantSendNotices(fn);
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
  // The functions themselves, not their versions (grantInvoke would add ":*", a wildcard nothing here needs).
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["lambda:InvokeFunction"],
      resources: [rollback.functionArn, functionArn, ...(schedule ? [schedule.functionArn] : [])],
    }),
  );
  // Approval gates: one deadline per release, in this stage's group only.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["scheduler:CreateSchedule"],
      resources: [stack.formatArn({ service: "scheduler", resource: "schedule", resourceName: `${deadlineGroup}/approval-*` })],
    }),
  );
  // The gate reports the hook's verdict; "Finish now" ends a release's blue termination wait. Both are CodeDeploy's:
  // an ECS stage has no gate (settings refuse it) and no Finish now (ECS's bake time has no such call).
  const byCodeDeploy = settings.release.controller === "codedeploy";
  if (byCodeDeploy) grantWildcardOnly(fn, ["codedeploy:PutLifecycleEventHookExecutionStatus", "codedeploy:ContinueDeployment"]);
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "One deadline schedule per release, named approval-<deployment id>: only schedules of this stage's approvals group match.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:scheduler:.+:schedule\\/.+\\/approval-\\*$/g" }],
      },
    ],
    true,
  );
  if (byCodeDeploy)
    new events.Rule(stack, "ApprovalRequests", {
      description: "A canary hook whose checks passed asks for a person's approval",
      eventPattern: { source: [AUTOMATION_SOURCE], detailType: [APPROVAL_DETAIL_TYPE], detail: { stage: [app.stage] } },
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.minutes(15) })],
    });

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
