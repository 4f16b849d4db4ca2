import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { DeadlinePort, DeadlineTarget } from "./ports";

/**
 * One one-time EventBridge Scheduler schedule per release's approval gate,
 * named after the release (a repeated hook invocation schedules nothing
 * new), calling the Slack actions function at the deadline. It deletes
 * itself once it has run.
 */
export function schedulerDeadlines(target: DeadlineTarget, client?: SchedulerClient): DeadlinePort {
  return {
    async at(deploymentId, deadline) {
      const sdk = await import("../aws/sdk/scheduler");
      client ??= new sdk.SchedulerClient({});
      try {
        await client.send(
          new sdk.CreateScheduleCommand({
            Name: `approval-${deploymentId}`,
            GroupName: target.groupName,
            ScheduleExpression: `at(${deadline.toISOString().slice(0, 19)})`,
            ScheduleExpressionTimezone: "UTC",
            FlexibleTimeWindow: { Mode: "OFF" },
            ActionAfterCompletion: "DELETE",
            Description: `The approval deadline of release ${deploymentId}`,
            Target: {
              Arn: target.functionArn,
              RoleArn: target.roleArn,
              Input: JSON.stringify({ kind: "approval-deadline", deploymentId }),
              // A deadline that never runs leaves CodeDeploy's own one-hour hook limit, which fails the release.
              RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 900 },
            },
          }),
        );
        return "scheduled";
      } catch (error) {
        if (error instanceof sdk.ConflictException) return "already-scheduled";
        throw error;
      }
    },
  };
}
