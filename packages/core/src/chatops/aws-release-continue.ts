import { CodeDeployClient, ContinueDeploymentCommand, DeploymentAlreadyCompletedException } from "@aws-sdk/client-codedeploy";
import type { CarryOutPorts } from "./carry-out";

/**
 * "Finish now": ends a release's blue termination wait (ContinueDeployment
 * with TERMINATION_WAIT), so CodeDeploy ends the previous version's tasks now.
 */
export function codeDeployReleases(client: CodeDeployClient = new CodeDeployClient({})): CarryOutPorts["releases"] {
  return {
    async finishNow(deploymentId) {
      try {
        await client.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: "TERMINATION_WAIT" }));
        return "finished";
      } catch (error) {
        if (error instanceof DeploymentAlreadyCompletedException) return "already-finished";
        throw error;
      }
    },
  };
}
