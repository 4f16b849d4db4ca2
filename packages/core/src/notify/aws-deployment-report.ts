import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { taskDefinitionOf } from "../release/appspec";
import type { DeploymentReportPort } from "./ports";

/** CodeDeploy's own account of a deployment: its error, the rollback it started, and the version deployed before it. */
export function codeDeployReports(client?: CodeDeployClient): DeploymentReportPort {
  return {
    async report(deploymentId) {
      const sdk = await import("../aws/sdk/codedeploy");
      client ??= new sdk.CodeDeployClient({});
      const { deploymentInfo } = await client.send(new sdk.GetDeploymentCommand({ deploymentId }));
      return {
        error: deploymentInfo?.errorInformation
          ? { code: deploymentInfo.errorInformation.code, message: deploymentInfo.errorInformation.message }
          : undefined,
        rollback: deploymentInfo?.rollbackInfo
          ? {
              rollbackDeploymentId: deploymentInfo.rollbackInfo.rollbackDeploymentId,
              rollbackMessage: deploymentInfo.rollbackInfo.rollbackMessage,
            }
          : undefined,
        previousTaskDefinition: taskDefinitionOf(deploymentInfo?.previousRevision?.appSpecContent?.content),
      };
    },
  };
}
