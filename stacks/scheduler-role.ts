import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { NagSuppressions } from "cdk-nag";
import type { Construct } from "constructs";

/**
 * The role EventBridge Scheduler assumes to invoke one of our functions, for
 * schedules of this account only. Created before the function (whose
 * environment names it), then bound to it with `letSchedulerInvoke`.
 */
export function schedulerRole(scope: Construct, id: string, description: string): iam.Role {
  const stack = Stack.of(scope);
  return new iam.Role(stack, id, {
    assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
      conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
    }),
    description,
  });
}

/** The role may invoke the function (and nothing else), and the function may pass the role to the schedules it creates itself. */
export function letSchedulerInvoke(role: iam.Role, fn: lambda.Function) {
  fn.grantInvoke(role);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["iam:PassRole"], resources: [role.roleArn] }));
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: `lambda:InvokeFunction on ${fn.node.id} and its versions (':*'), as grantInvoke writes it.`,
        appliesTo: [{ regex: `/^Resource::<${fn.node.id}.+\\.Arn>:\\*$/g` }],
      },
    ],
    true,
  );
}
