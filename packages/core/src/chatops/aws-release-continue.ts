import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { CarryOutPorts } from "./carry-out";

/**
 * "Finish now": ends a release's blue termination wait (ContinueDeployment
 * with TERMINATION_WAIT), so CodeDeploy ends the previous version's tasks now.
 */
export function codeDeployReleases(client?: CodeDeployClient): CarryOutPorts["releases"] {
  return {
    async finishNow(deploymentId) {
      const sdk = await import("../aws/sdk/codedeploy");
      client ??= new sdk.CodeDeployClient({});
      try {
        await client.send(new sdk.ContinueDeploymentCommand({ deploymentId, deploymentWaitType: "TERMINATION_WAIT" }));
        return "finished";
      } catch (error) {
        if (error instanceof sdk.DeploymentAlreadyCompletedException) return "already-finished";
        throw error;
      }
    },
  };
}
