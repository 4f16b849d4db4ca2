import { CloudWatchClient, DescribeAlarmsCommand, type StateValue } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";

/** CloudWatch as the rollback's DescribeAlarms finds it (aws-sdk-client-mock); reset it after each test. */
export const cloudWatch = mockClient(CloudWatchClient);

/**
 * The alarm in a state since a time, as DescribeAlarms answers (a metric alarm). The fixture's ALARM was raised at
 * 2019-10-02T17:04:40.989Z (its detail.state.timestamp): the same time means this very episode.
 */
export function alarmIs(alarmName: string, state: StateValue, since: string | Date, transitioned?: string | Date) {
  cloudWatch.on(DescribeAlarmsCommand, { AlarmNames: [alarmName] }).resolves({
    MetricAlarms: [
      {
        AlarmName: alarmName,
        StateValue: state,
        StateUpdatedTimestamp: new Date(since),
        ...(transitioned ? { StateTransitionedTimestamp: new Date(transitioned) } : {}),
      },
    ],
    CompositeAlarms: [],
  });
}

/** When the fixture's alarm went to ALARM. */
export const FIXTURE_ALARM_RAISED = "2019-10-02T17:04:40.989Z";
