import type { MetricDataResult } from "@aws-sdk/client-cloudwatch";

/** One query's series of a GetMetricData answer, as period start (ms) → value; an absent query is an empty series. */
export function seriesOf(results: MetricDataResult[], id: string): Map<number, number> {
  const result = results.find((r) => r.Id === id);
  const values = new Map<number, number>();
  result?.Timestamps?.forEach((at, i) => {
    const value = result.Values?.[i];
    if (value !== undefined) values.set(at.getTime(), value);
  });
  return values;
}
