import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { HookStatus } from "../canary/ports";

/**
 * Reports a lifecycle hook's verdict to CodeDeploy. A second report of the same
 * execution (a retried invocation) is refused by CodeDeploy as already
 * completed: the first verdict stands, and that is not an error.
 */
export function codeDeployHookReporter(client?: CodeDeployClient) {
  return async (deploymentId: string, executionId: string, status: HookStatus): Promise<"reported" | "already-reported"> => {
    const sdk = await import("./sdk/codedeploy");
    client ??= new sdk.CodeDeployClient({});
    try {
      await client.send(
        new sdk.PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: executionId, status }),
      );
      return "reported";
    } catch (error) {
      if (error instanceof sdk.LifecycleEventAlreadyCompletedException) return "already-reported";
      throw error;
    }
  };
}
