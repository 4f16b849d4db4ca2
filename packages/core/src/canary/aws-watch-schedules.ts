import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import { clientAtFirstUse } from "../aws/clients";
import type { WatchSchedulesPort } from "./ports";

/**
 * One EventBridge Scheduler schedule per release being watched: nothing runs
 * (and nothing costs) when nothing is deploying. Both calls are idempotent.
 */
export function schedulerWatchSchedules(groupName: string, roleArn: string, given?: SchedulerClient): WatchSchedulesPort {
  const scheduler = clientAtFirstUse(
    () => import("../aws/sdk/scheduler"),
    (sdk) => new sdk.SchedulerClient({}),
    given,
  );
  const name = (deploymentId: string) => `watch-${deploymentId}`;
  return {
    async start(deploymentId, functionArn, until) {
      const { sdk, client } = await scheduler();
      try {
        await client.send(
          new sdk.CreateScheduleCommand({
            Name: name(deploymentId),
            GroupName: groupName,
            ScheduleExpression: "rate(1 minute)",
            FlexibleTimeWindow: { Mode: "OFF" },
            EndDate: until,
            ActionAfterCompletion: "DELETE",
            Target: {
              Arn: functionArn,
              RoleArn: roleArn,
              Input: JSON.stringify({ deploymentId }),
              RetryPolicy: { MaximumRetryAttempts: 0 },
            },
          }),
        );
        return "started";
      } catch (error) {
        if (error instanceof sdk.ConflictException) return "already-running";
        throw error;
      }
    },
    async stop(deploymentId) {
      const { sdk, client } = await scheduler();
      try {
        await client.send(new sdk.DeleteScheduleCommand({ Name: name(deploymentId), GroupName: groupName }));
        return "stopped";
      } catch (error) {
        if (error instanceof sdk.ResourceNotFoundException) return "not-running";
        throw error;
      }
    },
  };
}
