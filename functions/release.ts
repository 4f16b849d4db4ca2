/**
 * Custom::Release — how one `sst deploy` ships a new image through CodeDeploy.
 * CloudFormation's provider framework calls `onEvent` once, then `isComplete`
 * every 30 s until it returns true or throws (the stack update then fails and
 * CloudFormation rolls back). See docs/releases.md.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { ReleasePort } from "@hands-off-ops/core/aws/codedeploy";
import { onFirstCall } from "@hands-off-ops/core/lazy";
import { decideRelease, type ReleaseEvent, ReleaseProperties } from "@hands-off-ops/core/release/custom-resource";
import { releaseProgress } from "@hands-off-ops/core/release/progress";

const NO_DEPLOYMENT = "none";

interface OnEventResult {
  PhysicalResourceId: string;
  Data: { DeploymentId: string };
}

export function createReleaseHandlers(releases: () => ReleasePort, logger = new Logger({ serviceName: "release" })) {
  async function onEvent(event: ReleaseEvent & { PhysicalResourceId?: string }): Promise<OnEventResult> {
    const properties = ReleaseProperties.safeParse(event.ResourceProperties);
    // One stable id per deployment group: CloudFormation never sees a replacement, so never asks to delete a release.
    const physicalId = event.PhysicalResourceId ?? `release:${properties.success ? properties.data.deploymentGroupName : "unknown"}`;
    const running = event.RequestType === "Update" && properties.success ? await releases().running(properties.data.targetId) : undefined;
    const decision = decideRelease(event, running);
    if (decision.action === "none") {
      logger.info("No deployment", { requestType: event.RequestType, why: decision.why });
      return { PhysicalResourceId: physicalId, Data: { DeploymentId: NO_DEPLOYMENT } };
    }
    const { applicationName, deploymentGroupName } = decision.properties;
    const deploymentId = await releases()
      .start({ applicationName, deploymentGroupName, description: decision.description, target: decision.target })
      .catch((error: Error) => {
        throw new Error(`Could not start the release in ${applicationName}/${deploymentGroupName}: ${error.name}: ${error.message}`);
      });
    logger.info("Release started", { deploymentId, description: decision.description });
    return { PhysicalResourceId: physicalId, Data: { DeploymentId: deploymentId } };
  }

  async function isComplete(event: ReleaseEvent & OnEventResult): Promise<{ IsComplete: boolean }> {
    const deploymentId = event.Data?.DeploymentId;
    if (!deploymentId || deploymentId === NO_DEPLOYMENT) return { IsComplete: true };
    const { targetId } = ReleaseProperties.parse(event.ResourceProperties);
    const progress = releaseProgress(await releases().snapshot(deploymentId, targetId));
    logger.info("Release progress", { deploymentId, progress });
    if (progress.kind === "failed") throw new Error(progress.reason);
    return { IsComplete: progress.kind === "live" };
  }

  return { onEvent, isComplete };
}

const releases = onFirstCall<ReleasePort>(async () => (await import("@hands-off-ops/core/aws/codedeploy")).codeDeployReleases());
export const { onEvent, isComplete } = createReleaseHandlers(() => releases);
