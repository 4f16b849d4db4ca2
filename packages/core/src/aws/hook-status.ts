import {
  CodeDeployClient,
  LifecycleEventAlreadyCompletedException,
  PutLifecycleEventHookExecutionStatusCommand,
} from "@aws-sdk/client-codedeploy";
import type { HookStatus } from "../canary/ports";

/**
 * Reports a lifecycle hook's verdict to CodeDeploy. A second report of the same
 * execution (a retried invocation) is refused by CodeDeploy as already
 * completed: the first verdict stands, and that is not an error.
 */
export function codeDeployHookReporter(client: CodeDeployClient = new CodeDeployClient({})) {
  return async (deploymentId: string, executionId: string, status: HookStatus): Promise<"reported" | "already-reported"> => {
    try {
      await client.send(
        new PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: executionId, status }),
      );
      return "reported";
    } catch (error) {
      if (error instanceof LifecycleEventAlreadyCompletedException) return "already-reported";
      throw error;
    }
  };
}
