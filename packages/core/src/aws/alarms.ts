import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { AlarmStatePort } from "../rollback/ports";

/**
 * DescribeAlarms for one alarm, metric or composite (without AlarmTypes CloudWatch returns metric alarms only).
 * StateUpdatedTimestamp also moves when only the EvaluationState changes, the alarm still in the same ALARM;
 * StateTransitionedTimestamp is the last change of the state value itself, so it is preferred where given.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
 */
export function cloudWatchAlarmState(client?: CloudWatchClient): AlarmStatePort {
  return {
    async now(alarmName) {
      const sdk = await import("./sdk/cloudwatch");
      client ??= new sdk.CloudWatchClient({ maxAttempts: 5 });
      const { MetricAlarms = [], CompositeAlarms = [] } = await client.send(
        new sdk.DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
      );
      const alarm = [...MetricAlarms, ...CompositeAlarms].find((a) => a.AlarmName === alarmName);
      if (!alarm) return null;
      const since = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
      if (!alarm.StateValue || !since) throw new Error(`CloudWatch described ${alarmName} without its state or its time`);
      return { state: alarm.StateValue, since };
    },
  };
}
