import { AUTOMATION_DETAIL_TYPE, AUTOMATION_SOURCE } from "@hands-off-ops/core/notify/sources/automation";
import { ECS_DEPLOYMENT_DETAIL_TYPE } from "@hands-off-ops/core/notify/sources/ecs-deployment";
import { SHELL_FAMILY_SUFFIX } from "@hands-off-ops/core/notify/sources/ecs-task";
import { RDS_INSTANCE_DETAIL_TYPE } from "@hands-off-ops/core/notify/sources/rds";
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";
import { grantReadAlarms } from "./alarm-access";
import { automationFunction } from "./automation-function";
import type { StageSettings } from "./config";
import { notifyVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";
import { alarmName, releaseGroupName } from "./names";
import { grantWildcardOnly } from "./wildcard-actions";
import type { WorkerDeployment } from "./workers";

interface NotifyWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  onCallTopic: sns.ITopic;
  dashboard: cloudwatch.Dashboard;
  cluster: ecs.ICluster;
  service: ecs.FargateService;
  /** The stage's workers: their service events and deployments reach the notifier too, named as theirs. */
  workers: WorkerDeployment[];
  serviceLogs: logs.ILogGroup;
  /** null where the stage has no database (database.enabled). */
  database: rds.IDatabaseInstance | null;
  stateTable: dynamodb.ITableV2;
  deadLetters: sqs.IQueue;
}

/**
 * The notifier: EventBridge rules for every operational event of the stage,
 * one function that turns each into a message for Slack and the on-call
 * topic, the Slack secret it reads, and two alarms that e-mail on-call
 * directly when the notifier itself fails (it cannot report its own failure).
 */
export function notifyOnCall(stack: Stack, wiring: NotifyWiring) {
  const { app, settings, onCallTopic, cluster, service, workers, database, stateTable, deadLetters } = wiring;
  // The public service's and each worker's: ECS names the service in an event's resources.
  const serviceArns = [service.serviceArn, ...workers.map((w) => w.service.serviceArn)];

  const slackSecret = new secretsmanager.Secret(stack, "SlackSecret", {
    description: `Slack credentials of ${app.stage} ${app.name}: put {"botToken":"xoxb-…"} (or {"webhookUrl":"https://hooks.slack.com/…"} in webhook mode). Until then, on-call gets e-mail only.`,
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  NagSuppressions.addResourceSuppressions(slackSecret, [
    {
      id: "AwsSolutions-SMG4",
      reason: "A Slack bot token or webhook is issued by Slack, not generated here: it is rotated in Slack, then put into the secret.",
    },
  ]);

  const notify = automationFunction(stack, "Notify", {
    handler: "functions/notify.handler",
    // On-call's path: a cold start with a release alarm costs ~0.37 s of CPU (bench:lambda), ~2.6 s at 256 MB's
    // seventh of a vCPU, ~0.65 s at 1 GB. Peak 84 MB.
    memorySize: 1024,
    // Up to four Slack calls per message, each retried three times with backoff (and a 429 waits for Retry-After).
    timeout: 120,
    description: `On-call notifications of ${app.stage} ${app.name}: alarms, releases, stopped tasks, ECS errors, database events, automation actions → Slack and e-mail`,
    environment: notifyVariables(app, settings, {
      topicArn: onCallTopic.topicArn,
      tableName: stateTable.tableName,
      slackSecretId: slackSecret.secretArn,
      dashboardName: wiring.dashboard.dashboardName,
      clusterName: cluster.clusterName,
      serviceName: service.serviceName,
      logGroupName: wiring.serviceLogs.logGroupName,
      workers: workers.map((w) => ({ name: w.name, ecsService: w.service.serviceName })),
    }),
  });
  suppressLambdaBasics(notify);
  // Lambda retries a failed event twice (Slack down), then parks it in the dead-letter queue: nothing is lost.
  notify.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(deadLetters) });

  onCallTopic.grantPublish(notify);
  slackSecret.grantRead(notify);
  notify.addToRolePolicy(
    new iam.PolicyStatement({
      // Threads, collapse trails and idempotency records; DeleteItem lets a failed delivery be retried.
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      resources: [stateTable.tableArn],
    }),
  );
  grantWildcardOnly(notify, ["cloudwatch:GetMetricWidgetImage"]);
  // What the service (or the worker) runs now, to grade an ECS service event by its impact.
  notify.addToRolePolicy(new iam.PolicyStatement({ actions: ["ecs:DescribeServices"], resources: serviceArns }));
  // CodeDeploy's own report of a failed or stopped release (its error, the rollback it started); under ECS, the
  // service deployment an ECS Deployment State Change event is about (its detail names ECS's older deployment id only).
  const byEcs = settings.release.controller === "ecs";
  if (byEcs) notify.addToRolePolicy(new iam.PolicyStatement({ actions: ["ecs:ListServiceDeployments"], resources: [service.serviceArn] }));
  else
    notify.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["codedeploy:GetDeployment"],
        resources: [
          stack.formatArn({
            service: "codedeploy",
            resource: "deploymentgroup",
            resourceName: `${releaseGroupName(app)}/${releaseGroupName(app)}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  NagSuppressions.addResourceSuppressions(
    notify,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "Publishing to the KMS-encrypted on-call topic needs kms:GenerateDataKey* on that one key (grantPublish).",
        appliesTo: ["Action::kms:GenerateDataKey*"],
      },
    ],
    true,
  );

  const target = new targets.LambdaFunction(notify, { deadLetterQueue: deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(2) });
  const rule = (id: string, description: string, eventPattern: events.EventPattern) =>
    new events.Rule(stack, id, { description, eventPattern, targets: [target] });

  rule("NotifyAlarms", "Every state change of the stage's alarms", {
    source: ["aws.cloudwatch"],
    detailType: ["CloudWatch Alarm State Change"],
    detail: { alarmName: events.Match.prefix(alarmName(app, "")) },
  });
  if (byEcs)
    rule("NotifyReleases", "Every state change of the service's own (ECS) deployments", {
      source: ["aws.ecs"],
      detailType: [ECS_DEPLOYMENT_DETAIL_TYPE],
      resources: [service.serviceArn],
    });
  else
    rule("NotifyReleases", "Every state change of the service's CodeDeploy deployments", {
      source: ["aws.codedeploy"],
      detailType: ["CodeDeploy Deployment State-change Notification"],
      detail: { application: [releaseGroupName(app)], deploymentGroup: [releaseGroupName(app)] },
    });
  rule("NotifyStoppedTasks", "Tasks of the service's cluster that stopped (the function ignores routine stops)", {
    source: ["aws.ecs"],
    detailType: ["ECS Task State Change"],
    detail: { clusterArn: [cluster.clusterArn], lastStatus: ["STOPPED"] },
  });
  if (settings.shell.enabled)
    rule("NotifyShellSessions", "An operator shell task started (npm run ops -- shell): on-call sees every one", {
      source: ["aws.ecs"],
      detailType: ["ECS Task State Change"],
      detail: {
        clusterArn: [cluster.clusterArn],
        group: [`family:${app.stage}-${app.name}-Service${SHELL_FAMILY_SUFFIX}`],
        lastStatus: ["RUNNING"],
      },
    });
  rule("NotifyServiceErrors", "ECS service events that need a person (WARN and ERROR)", {
    source: ["aws.ecs"],
    detailType: ["ECS Service Action"],
    resources: serviceArns,
    detail: { eventType: ["WARN", "ERROR"] },
  });
  // ECS's word that the service is whole again (INFO, so the rule above drops it): it ends an open incident's kills,
  // placement failures and crashes; with no incident open the function ignores it.
  rule("NotifyServiceSteady", "The service back at a steady state (ends an open incident's capacity and crash signals)", {
    source: ["aws.ecs"],
    detailType: ["ECS Service Action"],
    resources: serviceArns,
    detail: { eventName: ["SERVICE_STEADY_STATE"] },
  });
  // A worker's rolling deployments (stacks/workers.ts), which ECS rolls back by itself: a step of the worker's incident.
  if (workers.length)
    rule("NotifyWorkerDeployments", "State changes of the workers' own (ECS rolling) deployments", {
      source: ["aws.ecs"],
      detailType: [ECS_DEPLOYMENT_DETAIL_TYPE],
      resources: workers.map((w) => w.service.serviceArn),
    });
  // Every stage, asleep at night or not: a failover, a restart or low storage is part of the service's incident.
  if (database)
    rule("NotifyDatabase", "Events of the stage's DB instance: failover, restart, storage, stop, start", {
      source: ["aws.rds"],
      detailType: [RDS_INSTANCE_DETAIL_TYPE],
      detail: { SourceIdentifier: [database.instanceIdentifier] },
    });
  // One reminder for an alarm still in ALARM hours after its page: a sweep every 15 minutes reads the service's
  // newest incident and the alarm as CloudWatch has it now (notify/remind.ts).
  if (settings.notifications.remindAfterHours !== null) {
    new events.Rule(stack, "NotifyReminders", {
      description: `Reminds on-call, once, of an alarm still in ALARM ${settings.notifications.remindAfterHours} h after its page`,
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [target],
    });
    grantReadAlarms(notify, stack, alarmName(app, ""));
  }
  rule("NotifyAutomation", "What the automation functions did (rollback, canary verdicts, sleep and wake)", {
    source: [AUTOMATION_SOURCE],
    detailType: [AUTOMATION_DETAIL_TYPE],
    detail: { stage: [app.stage] },
  });

  // Who watches the watcher: these two reach on-call through CloudWatch's own e-mail, without the notifier.
  const direct = new SnsAction(onCallTopic);
  const watch = (id: string, description: string, metric: cloudwatch.IMetric) => {
    const alarm = new cloudwatch.Alarm(stack, id, {
      alarmName: alarmName(app, id),
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(direct);
    alarm.addOkAction(direct);
  };
  watch(
    "NotifyFailing",
    "The notifier failed to deliver at least one message in 5 minutes (Slack or SNS down, or a bug); Lambda retries it. Runbook: read the Notify function's logs; messages that still fail land in the dead-letter queue.",
    notify.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
  );
  watch(
    "DeadLettersWaiting",
    "An event the automation could not handle is waiting in the dead-letter queue. Runbook: read it in the SQS console, fix the cause, then redrive it to its function.",
    deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
  );

  new CfnOutput(stack, "SlackSecretName", {
    value: slackSecret.secretName,
    description: "Put the Slack bot token here: see README, On-call notifications",
  });
  return { notify, slackSecret };
}

/**
 * Lets an automation function report what it did: PutEvents on the default
 * bus, and only with this product's source (the notifier's rule matches it).
 *
 * `events:source` is multivalued (ArrayOfString in the Service Authorization
 * Reference: one value per entry of the call), so it takes a set operator:
 * every entry's source is ours, and there is at least one (ForAllValues alone
 * is also true for a call without the key). A plain StringEquals on a
 * multivalued key is what IAM's policy validator warns about, and the policy
 * simulator (tests/infra/iam-simulate.test.ts) denies it.
 */
export function grantSendNotices(fn: IConstruct & iam.IGrantable) {
  const stack = Stack.of(fn);
  fn.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["events:PutEvents"],
      resources: [stack.formatArn({ service: "events", resource: "event-bus", resourceName: "default" })],
      conditions: {
        "ForAllValues:StringEquals": { "events:source": [AUTOMATION_SOURCE] },
        Null: { "events:source": "false" },
      },
    }),
  );
}
