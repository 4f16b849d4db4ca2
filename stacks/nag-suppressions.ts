import { NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { App } from "sst/constructs";
import { Stack } from "sst/constructs";
import { wildcardReason } from "./wildcard-actions";

/**
 * Our own functions run nodejs24.x, the newest Node runtime, and pass AwsSolutions-L1 on their own. What is left
 * is code this app does not build: SST's and aws-cdk-lib's handlers, on the runtime their library picks.
 */
const NOT_OURS =
  "The library that creates this function picks its runtime (nodejs22.x, supported by Lambda until 2027); ours run nodejs24.x.";

/**
 * SST adds a custom-resource Lambda to every stack. It is SST's code and role,
 * not ours: it cannot be narrowed from here, only explained.
 */
export function suppressSstInternals(app: App) {
  for (const child of app.node.children) {
    if (!(child instanceof Stack)) continue;
    NagSuppressions.addResourceSuppressions(
      child.customResourceHandler,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "SST's custom-resource handler uses AWSLambdaBasicExecutionRole for its own logs; the role is created by SST.",
        },
        { id: "AwsSolutions-L1", reason: `SST 2.49 chooses its handler's runtime. ${NOT_OURS}` },
      ],
      true,
    );
  }
}

/** What every Lambda of ours carries: the basic execution role for its logs, X-Ray tracing. */
export function suppressLambdaBasics(fn: IConstruct) {
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "AWSLambdaBasicExecutionRole only lets the function write its own log streams.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: wildcardReason(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
        appliesTo: ["Resource::*"],
      },
    ],
    true,
  );
}

/** The CDK provider framework (Lambdas and a waiter state machine) behind a long-running custom resource. */
export function suppressProviderFramework(provider: IConstruct) {
  NagSuppressions.addResourceSuppressions(
    provider,
    [
      {
        id: "AwsSolutions-IAM4",
        reason:
          "The provider framework's functions use AWSLambdaBasicExecutionRole for their own logs; the roles are created by aws-cdk-lib.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: "The framework invokes exactly the handler functions it was given; ':*' covers their versions and aliases only.",
        appliesTo: [{ regex: "/^Resource::<.+\\.Arn>:\\*$/g" }],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: wildcardReason([
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ]),
        appliesTo: ["Resource::*"],
      },
      { id: "AwsSolutions-L1", reason: `aws-cdk-lib picks the provider framework's runtime. ${NOT_OURS}` },
      {
        id: "AwsSolutions-SF2",
        reason:
          "The waiter state machine only polls isComplete every 30 s; its logs (level ALL) show each poll, tracing would add nothing.",
      },
    ],
    true,
  );
}

/** A Lambda in the VPC: the managed policy that lets it manage its own network interfaces there. */
export function suppressVpcAccess(fn: IConstruct) {
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
}
