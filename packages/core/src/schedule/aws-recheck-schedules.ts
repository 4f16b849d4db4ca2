import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { RecheckPort } from "./ports";

export interface RecheckTarget {
  groupName: string;
  functionArn: string;
  roleArn: string;
  deadLetterQueueArn: string;
}

/**
 * One-time EventBridge Scheduler schedules that call the schedule function
 * back with a "check". Named after their minute, so asking twice for the same
 * minute schedules one check; each deletes itself once it has run.
 */
export function schedulerRechecks(target: RecheckTarget, client?: SchedulerClient): RecheckPort {
  return {
    async at(when, why) {
      const sdk = await import("../aws/sdk/scheduler");
      client ??= new sdk.SchedulerClient({});
      const minute = when.toISOString().slice(0, 16);
      try {
        await client.send(
          new sdk.CreateScheduleCommand({
            Name: `recheck-${minute.replace(/[-:T]/g, "")}`,
            GroupName: target.groupName,
            ScheduleExpression: `at(${minute}:00)`,
            ScheduleExpressionTimezone: "UTC",
            FlexibleTimeWindow: { Mode: "OFF" },
            ActionAfterCompletion: "DELETE",
            Description: why.slice(0, 512),
            Target: {
              Arn: target.functionArn,
              RoleArn: target.roleArn,
              Input: JSON.stringify({
                action: "check",
                reason: why,
                executionId: "<aws.scheduler.execution-id>",
                scheduledTime: "<aws.scheduler.scheduled-time>",
              }),
              RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
              DeadLetterConfig: { Arn: target.deadLetterQueueArn },
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
