import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import type { StackContext } from "sst/constructs";
import { stageSettings } from "./config";

/**
 * What the automation Lambdas share: the state table that makes every effect
 * idempotent (conditional writes keyed on event or deployment id) and holds
 * the audit trail, and the dead-letter queue where no failed event is lost.
 */
export function Automation({ stack }: StackContext) {
  const { kind } = stageSettings(stack.stage);

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

  return { stateTable, deadLetters };
}
