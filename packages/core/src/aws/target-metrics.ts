import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { TargetGroupWindow } from "../canary/watch";

export interface TargetMetricsPort {
  /** Both target groups over the same trailing window of whole minutes ending at the last full minute before `now`. */
  window(
    targetGroups: { green: string; blue: string },
    windowMinutes: number,
    now: Date,
  ): Promise<{ green: TargetGroupWindow; blue: TargetGroupWindow }>;
}

/** The load balancer's per-target-group metrics (AWS/ApplicationELB), six queries in one GetMetricData call. */
export function cloudWatchTargetMetrics(loadBalancer: string, client: CloudWatchClient = new CloudWatchClient({})): TargetMetricsPort {
  return {
    async window({ green, blue }, windowMinutes, now) {
      const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      const start = new Date(end.getTime() - windowMinutes * 60_000);
      const period = windowMinutes * 60;
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
          Period: period,
          Stat: stat,
        },
      });
      const queries = (side: "green" | "blue", targetGroup: string) => [
        query(`${side}Requests`, targetGroup, "RequestCount", "Sum"),
        query(`${side}Errors`, targetGroup, "HTTPCode_Target_5XX_Count", "Sum"),
        query(`${side}P95`, targetGroup, "TargetResponseTime", "p95"),
      ];
      const { MetricDataResults } = await client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: [...queries("green", green), ...queries("blue", blue)],
        }),
      );
      // No datapoint means no requests (the load balancer publishes nothing for an idle minute).
      const value = (id: string) => MetricDataResults?.find((r) => r.Id === id)?.Values?.[0];
      const side = (name: "green" | "blue"): TargetGroupWindow => ({
        requests: value(`${name}Requests`) ?? 0,
        errors5xx: value(`${name}Errors`) ?? 0,
        p95Seconds: value(`${name}P95`) ?? null,
      });
      return { green: side("green"), blue: side("blue") };
    },
  };
}
