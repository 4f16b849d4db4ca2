/**
 * Custom::Release's two calls, as CloudFormation's provider framework makes them (functions/release.ts is the
 * Lambda): onEvent once, then isComplete every 30 s until it returns true or throws. See docs/releases.md.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Clients } from "../aws/clients";
import { codeDeployReleases } from "./aws-codedeploy";
import { decideRelease, type ReleaseEvent, ReleaseProperties } from "./custom-resource";
import type { ReleasePort } from "./ports";
import { releaseProgress, rollbackProgress, withinDeadline } from "./progress";

const NO_DEPLOYMENT = "none";
/** How long onEvent waits for CodeDeploy to finish a release whose termination wait it ended (within its 120 s). */
const FINISH_WAIT_MS = 80_000;

interface OnEventResult {
  PhysicalResourceId: string;
  /** Expect "rolled-back": the deployment was stopped with rollback, success is users back on the kept tasks. */
  Data: { DeploymentId: string; Expect?: "live" | "rolled-back"; Deadline?: string };
}

export interface ReleaseRuntime {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Seconds after onEvent starts at which a release still waiting fails (releaseWaitPlan, RELEASE_DEADLINE_SECONDS). */
  deadlineSeconds?: number;
}

const REAL: ReleaseRuntime = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  deadlineSeconds: Number(process.env.RELEASE_DEADLINE_SECONDS) || undefined,
};

export function createReleaseHandlers(releases: () => ReleasePort, logger = new Logger({ serviceName: "release" }), runtime = REAL) {
  async function onEvent(event: ReleaseEvent & { PhysicalResourceId?: string }, retried = false): Promise<OnEventResult> {
    const startedAt = runtime.now();
    const properties = ReleaseProperties.safeParse(event.ResourceProperties);
    // One stable id per deployment group: CloudFormation never sees a replacement, so never asks to delete a release.
    const physicalId = event.PhysicalResourceId ?? `release:${properties.success ? properties.data.deploymentGroupName : "unknown"}`;
    const deadline = runtime.deadlineSeconds ? new Date(startedAt.getTime() + runtime.deadlineSeconds * 1000).toISOString() : undefined;
    const answer = (DeploymentId: string, Expect: "live" | "rolled-back" = "live") => ({
      PhysicalResourceId: physicalId,
      Data: { DeploymentId, Expect, ...(deadline ? { Deadline: deadline } : {}) },
    });
    const facts =
      event.RequestType === "Update" && properties.success
        ? {
            ...(await releases().service(properties.data.targetId)),
            active: await releases().active(properties.data, properties.data.targetId),
          }
        : {};
    const decision = decideRelease(event, facts);
    logger.info("Release decision", {
      requestType: event.RequestType,
      decision: { action: decision.action, why: "why" in decision ? decision.why : undefined },
    });
    switch (decision.action) {
      case "none":
        return answer(NO_DEPLOYMENT);
      case "refuse":
        throw new Error(decision.why);
      case "follow":
        return answer(decision.deploymentId);
      case "roll-back": {
        const stopped = await releases().stopWithRollback(decision.deploymentId);
        // Finished between the look and the stop: decide again on what is there now.
        if (stopped === "already-finished" && !retried) return onEvent(event, true);
        return answer(decision.deploymentId, "rolled-back");
      }
      case "finish-then-deploy":
        await releases().finish(decision.deploymentId);
        await untilFinished(decision.deploymentId);
        break;
    }
    const { applicationName, deploymentGroupName } = decision.properties;
    const deploymentId = await releases()
      .start({ applicationName, deploymentGroupName, description: decision.description, target: decision.target })
      .catch((error: Error) => {
        throw new Error(`Could not start the release in ${applicationName}/${deploymentGroupName}: ${error.name}: ${error.message}`);
      });
    logger.info("Release started", { deploymentId, description: decision.description });
    return answer(deploymentId);
  }

  async function untilFinished(deploymentId: string) {
    for (let waited = 0; waited <= FINISH_WAIT_MS; waited += 5_000) {
      const status = await releases().status(deploymentId);
      if (["Succeeded", "Failed", "Stopped"].includes(status)) return;
      await runtime.sleep(5_000);
    }
    throw new Error(
      `Deployment ${deploymentId} had not finished ${FINISH_WAIT_MS / 1000} s after its termination wait was ended: deploy again.`,
    );
  }

  async function isComplete(event: ReleaseEvent & OnEventResult): Promise<{ IsComplete: boolean }> {
    const deploymentId = event.Data?.DeploymentId;
    if (!deploymentId || deploymentId === NO_DEPLOYMENT) return { IsComplete: true };
    const { targetId, taskDefinitionArn } = ReleaseProperties.parse(event.ResourceProperties);
    const snapshot = await releases().snapshot(deploymentId, targetId);
    let progress = event.Data.Expect === "rolled-back" ? rollbackProgress(snapshot) : releaseProgress(snapshot);
    // Back on the kept tasks means ECS's primary task set runs the requested revision.
    if (
      event.Data.Expect === "rolled-back" &&
      progress.kind === "live" &&
      (await releases().service(targetId)).serving !== taskDefinitionArn
    )
      progress = { kind: "waiting", step: "traffic returning to the kept tasks" };
    progress = withinDeadline(progress, runtime.now(), event.Data.Deadline ? new Date(event.Data.Deadline) : undefined);
    logger.info("Release progress", { deploymentId, progress });
    if (progress.kind === "failed") throw new Error(progress.reason);
    return { IsComplete: progress.kind === "live" };
  }

  return { onEvent: (event: ReleaseEvent & { PhysicalResourceId?: string }) => onEvent(event), isComplete };
}

/** CodeDeploy and ECS, their clients made at the first call, with the given clients (the console's) or their own. */
export const awsReleases = (clients: Clients = {}): ReleasePort => codeDeployReleases(clients.codeDeploy, clients.ecs);
