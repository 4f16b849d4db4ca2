import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { slackActions } from "./chatops";
import { stageSettings } from "./config";
import { Database } from "./Database";
import { notifyOnCall } from "./notify";
import { Observability } from "./Observability";
import { rollbackOnAlarm } from "./rollback";
import { Service } from "./Service";
import { sleepOutsideWorkingHours } from "./schedule";

/**
 * The automation that operates the service: the state table that makes every
 * effect idempotent (conditional writes keyed on event or deployment id) and
 * holds the audit trail, the dead-letter queue where no failed event is lost,
 * and the functions with the EventBridge rules that feed them (notifier first;
 * see stacks/notify.ts; rollback; the sleep schedule of non-production stages).
 */
export function Automation({ stack, app }: StackContext) {
  const settings = stageSettings(stack.stage);
  const { kind } = settings;
  const { cluster, service, logGroup, releases, taskDefinition, workers } = use(Service);
  const { onCallTopic, dashboard } = use(Observability);
  const database = settings.database.enabled ? use(Database).instance : null;

  const stateTable = new dynamodb.TableV2(stack, "State", {
    partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    timeToLiveAttribute: "expiresAt",
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: kind === "production",
    removalPolicy: kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  const deadLetters = new sqs.Queue(stack, "DeadLetters", {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });

  NagSuppressions.addResourceSuppressions(deadLetters, [
    {
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the dead-letter queue: the Lambdas name it as their on-failure destination, which the rule does not see.",
    },
  ]);

  const { notify, slackSecret } = notifyOnCall(stack, {
    app,
    settings,
    onCallTopic,
    dashboard,
    cluster,
    service,
    workers,
    serviceLogs: logGroup,
    database,
    stateTable,
    deadLetters,
  });

  const rollback = rollbackOnAlarm(stack, { app, settings, releases, taskDefinition, workers, stateTable, deadLetters });

  const schedule = sleepOutsideWorkingHours(stack, { app, settings, service, workers, database, stateTable, deadLetters });

  const chatops = settings.chatops.enabled ? slackActions(stack, { app, settings, stateTable, slackSecret, rollback, schedule }) : null;

  return { stateTable, deadLetters, notify, rollback, schedule, chatops };
}
