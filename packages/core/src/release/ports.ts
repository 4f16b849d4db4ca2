import type { ReleaseTarget } from "./appspec";
import type { ActiveDeployment, ReleaseFacts } from "./custom-resource";
import type { DeploymentSnapshot } from "./progress";

/** The release's effects, as small interfaces: aws-codedeploy.ts implements them with the AWS SDK. */

export interface StartRelease {
  applicationName: string;
  deploymentGroupName: string;
  description: string;
  target: ReleaseTarget;
}

/** The AWS calls a release makes. */
export interface ReleasePort {
  /** The task definitions the service's task sets run: the primary one (what users are on) and all that are up. */
  service(targetId: string): Promise<Pick<ReleaseFacts, "serving" | "up">>;
  /** The group's active deployment, if any (CodeDeploy allows one per group). */
  active(group: { applicationName: string; deploymentGroupName: string }, targetId: string): Promise<ActiveDeployment | undefined>;
  start(release: StartRelease): Promise<string>;
  snapshot(deploymentId: string, targetId: string): Promise<DeploymentSnapshot>;
  /** StopDeployment with rollback; a deployment that already finished is left as it is. */
  stopWithRollback(deploymentId: string): Promise<"stopped" | "already-finished">;
  /** ContinueDeployment with TERMINATION_WAIT: CodeDeploy ends the kept tasks now and finishes the deployment. */
  finish(deploymentId: string): Promise<"finished" | "already-finished">;
  status(deploymentId: string): Promise<string>;
}
