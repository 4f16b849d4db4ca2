import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { seriesOf } from "./aws-metric-series";
import type { TargetMetricsPort } from "./ports";
import type { TargetGroupWindow } from "./watch";
import { lookbackMinutes, type MinuteOfTraffic, newestCompleteWindow } from "./watch-window";

/**
 * The load balancer's per-target-group metrics (AWS/ApplicationELB), six
 * queries in one GetMetricData call, one datapoint per minute over the
 * lookback: the load balancer publishes 60-second periods only
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
 */
export function cloudWatchTargetMetrics(loadBalancer: string, client?: CloudWatchClient): TargetMetricsPort {
  return {
    async window({ green, blue }, watch, now) {
      const sdk = await import("../aws/sdk/cloudwatch");
      client ??= new sdk.CloudWatchClient({});
      // The minute still running is never asked for: its datapoint would be partial.
      const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      const start = new Date(end.getTime() - lookbackMinutes(watch) * 60_000);
      const query = (id: string, targetGroup: string, metric: string, stat: string): MetricDataQuery => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: "AWS/ApplicationELB",
            MetricName: metric,
            Dimensions: [
              { Name: "TargetGroup", Value: targetGroup },
              { Name: "LoadBalancer", Value: loadBalancer },
            ],
          },
          Period: 60,
          Stat: stat,
        },
      });
      const queries = (side: "green" | "blue", targetGroup: string) => [
        query(`${side}Requests`, targetGroup, "RequestCount", "Sum"),
        query(`${side}Errors`, targetGroup, "HTTPCode_Target_5XX_Count", "Sum"),
        query(`${side}P95`, targetGroup, "TargetResponseTime", "p95"),
      ];
      const { MetricDataResults = [] } = await client.send(
        new sdk.GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: [...queries("green", green), ...queries("blue", blue)],
        }),
      );
      return newestCompleteWindow(minutesOf(MetricDataResults, start.getTime(), end.getTime()), watch);
    },
  };
}

/** GetMetricData's series (each a period start → value map) regrouped by minute. */
function minutesOf(results: MetricDataResult[], start: number, end: number): MinuteOfTraffic[] {
  const series = (id: string) => seriesOf(results, id);
  const side = (name: "green" | "blue") => {
    const requests = series(`${name}Requests`);
    const errors = series(`${name}Errors`);
    const p95 = series(`${name}P95`);
    // Only a published RequestCount makes the minute this side's; with it, no 5xx datapoint means none
    // (the load balancer reports no metric that has no data, same page as above).
    return (at: number): TargetGroupWindow | undefined => {
      const count = requests.get(at);
      return count === undefined ? undefined : { requests: count, errors5xx: errors.get(at) ?? 0, p95Seconds: p95.get(at) ?? null };
    };
  };
  const green = side("green");
  const blue = side("blue");
  const minutes: MinuteOfTraffic[] = [];
  for (let at = start; at < end; at += 60_000) minutes.push({ start: at, green: green(at), blue: blue(at) });
  return minutes;
}
