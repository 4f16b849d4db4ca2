import { DescribeAlarmsCommand, GetMetricDataCommand, GetMetricWidgetImageCommand } from "@aws-sdk/client-cloudwatch";
import { Answers } from "../recording";
import type { World } from "./world";

/** A 1×1 transparent PNG: what the graph looks like does not matter here, that it is asked for does. */
const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

/** CloudWatch: each alarm as its latest change the story has raised by then; quiet metrics; a graph. */
export function cloudWatchAnswers(world: World): Answers {
  return new Answers()
    .set(
      DescribeAlarmsCommand,
      (input, call) => {
        const name = input.AlarmNames?.[0] ?? "";
        const latest = world.alarms
          .filter((c) => c.alarmName === name)
          .sort((a, b) => a.at.getTime() - b.at.getTime())
          .at(-1);
        call.detail += `: ${latest ? `${latest.state} since ${latest.at.toISOString()}` : "not known"}`;
        return {
          MetricAlarms: latest
            ? [{ AlarmName: name, StateValue: latest.state, StateTransitionedTimestamp: latest.at, StateUpdatedTimestamp: latest.at }]
            : [],
          CompositeAlarms: [],
        };
      },
      (input) => (input.AlarmNames ?? []).join(", "),
    )
    .set(
      GetMetricDataCommand,
      // No traffic is published in the replay: every query answers with no datapoints.
      (input) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Label: q.Id,
          Timestamps: [],
          Values: [],
          StatusCode: "Complete" as const,
        })),
      }),
      (input) => {
        const metrics = [...new Set((input.MetricDataQueries ?? []).map((q) => q.MetricStat?.Metric?.MetricName))];
        return `${metrics.join(", ")}: ${input.MetricDataQueries?.length ?? 0} series, none published in the replay`;
      },
    )
    .set(
      GetMetricWidgetImageCommand,
      () => ({ MetricWidgetImage: new Uint8Array(PIXEL) }),
      (input) => {
        const widget = JSON.parse(input.MetricWidget ?? "{}") as { title?: string };
        return widget.title ?? "";
      },
    );
}
