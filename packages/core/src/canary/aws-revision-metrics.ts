import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { seriesOf } from "./aws-metric-series";
import type { RevisionMetricsPort } from "./ports";
import { FAST_PERIOD_SECONDS, fastPeriods, type MinuteOfTraffic, newestCompleteWindow, SERVICE_NAMESPACE } from "./watch-window";

/**
 * The service's EMF metrics Requests and ServerErrors, dimensioned by Stage and TaskDefinition, stored at 1-s
 * resolution; four queries in one GetMetricData call at Period 10
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 */
export function cloudWatchRevisionMetrics(stage: string, client?: CloudWatchClient): RevisionMetricsPort {
  return {
    async window({ green, blue }, watch, now) {
      const sdk = await import("../aws/sdk/cloudwatch");
      client ??= new sdk.CloudWatchClient({});
      const periodMs = FAST_PERIOD_SECONDS * 1000;
      // The period still running is never asked for; older ones may still be filling while records arrive.
      const end = new Date(Math.floor(now.getTime() / periodMs) * periodMs);
      const { judged, asked } = fastPeriods(watch);
      const start = new Date(end.getTime() - asked * periodMs);
      const query = (id: string, revision: string, metric: string): MetricDataQuery => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: SERVICE_NAMESPACE,
            MetricName: metric,
            Dimensions: [
              { Name: "Stage", Value: stage },
              { Name: "TaskDefinition", Value: revision },
            ],
          },
          Period: FAST_PERIOD_SECONDS,
          Stat: "Sum",
        },
      });
      const { MetricDataResults = [] } = await client.send(
        new sdk.GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: [
            query("greenRequests", green, "Requests"),
            query("greenErrors", green, "ServerErrors"),
            query("blueRequests", blue, "Requests"),
            query("blueErrors", blue, "ServerErrors"),
          ],
        }),
      );
      const periods = periodsOf(MetricDataResults, start.getTime(), end.getTime(), periodMs);
      const window = newestCompleteWindow(periods, watch, judged);
      return window.minutes.length ? window : null;
    },
  };
}

/** GetMetricData's series regrouped by 10-s period; a side is there when its Requests is (the service writes both). */
function periodsOf(results: MetricDataResult[], start: number, end: number, periodMs: number): MinuteOfTraffic[] {
  const series = (id: string) => seriesOf(results, id);
  const side = (name: "green" | "blue") => {
    const requests = series(`${name}Requests`);
    const errors = series(`${name}Errors`);
    return (at: number) => {
      const count = requests.get(at);
      return count === undefined ? undefined : { requests: count, errors5xx: errors.get(at) ?? 0, p95Seconds: null };
    };
  };
  const green = side("green");
  const blue = side("blue");
  const periods: MinuteOfTraffic[] = [];
  for (let at = start; at < end; at += periodMs) periods.push({ start: at, green: green(at), blue: blue(at) });
  return periods;
}
