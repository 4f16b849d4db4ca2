import { CfnDeletionPolicy, CfnResource, type IAspect, RemovalPolicy } from "aws-cdk-lib";
import { CfnTaskDefinition } from "aws-cdk-lib/aws-ecs";
import type { IConstruct } from "constructs";

/**
 * On a stage that is not production, `sst remove` leaves nothing behind: aws-cdk-lib retains log groups, KMS keys and
 * schedule groups by default (its own and those of the constructs it builds for us, such as the provider framework's
 * waiter logs), so every closed preview left some behind, keys at $1 a month each, and a retained resource with a
 * fixed name made the next create of the same stage fail with "already exists" (a reopened pull request).
 *
 * Task definitions stay retained: the rollback redeploys the previous revision, which CloudFormation would otherwise
 * deregister on an update; an inactive revision costs nothing and its family can be registered again on the next create.
 */
export class LeaveNothingBehind implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node instanceof CfnTaskDefinition) return;
    const { deletionPolicy } = node.cfnOptions;
    if (deletionPolicy === CfnDeletionPolicy.RETAIN || deletionPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE)
      node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}
