import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { grantSendNotices } from "../../stacks/notify";

describe("a function allowed to send automation notices", () => {
  it("may put events on the default bus only, and only with the product's source", () => {
    const stack = new Stack(new App(), "Test", { env: { account: "123456789012", region: "eu-central-1" } });
    const fn = new lambda.Function(stack, "Rollback", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromInline("export const handler = async () => {}"),
    });
    grantSendNotices(fn);
    const policies = Object.values(Template.fromStack(stack).findResources("AWS::IAM::Policy"));
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      {
        Action: "events:PutEvents",
        Effect: "Allow",
        Resource: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":events:eu-central-1:123456789012:event-bus/default"]] },
        // A multivalued key: every entry's source is ours, and there is one (see grantSendNotices).
        Condition: { "ForAllValues:StringEquals": { "events:source": ["hands-off-ops"] }, Null: { "events:source": "false" } },
      },
    ]);
  });
});
