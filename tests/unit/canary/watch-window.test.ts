import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { cloudWatchTargetMetrics } from "@hands-off-ops/core/canary/aws-target-metrics";
import type { WatchPorts } from "@hands-off-ops/core/canary/ports";
import { watchForAMinute } from "@hands-off-ops/core/canary/watch-run";
import { decideWindow, type MinuteOfTraffic, newestCompleteWindow } from "@hands-off-ops/core/canary/watch-window";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { PROD_CANARY } from "./helpers";

const side = (requests: number, errors5xx: number, p95Seconds: number | null = 0.05) => ({ requests, errors5xx, p95Seconds });
const T0 = Date.parse("2026-11-20T03:00:00Z");
const minute = (n: number, green?: ReturnType<typeof side>, blue?: ReturnType<typeof side>): MinuteOfTraffic => ({
  start: T0 + n * 60_000,
  ...(green ? { green } : {}),
  ...(blue ? { blue } : {}),
});

describe("which minutes the watch judges", () => {
  const watch = { ...PROD_CANARY.watch, windowMinutes: 3, minRequests: 30 };

  it("the newest minute that both target groups have published, not an older one", () => {
    const judged = newestCompleteWindow([minute(0, side(300, 0), side(2700, 2)), minute(1, side(300, 60), side(2700, 3))], watch);
    expect(judged).toEqual({ green: side(300, 60), blue: side(2700, 3), minutes: [T0 + 60_000] });
  });

  it("skips a minute only one target group has published yet (still arriving)", () => {
    const judged = newestCompleteWindow([minute(0, side(300, 1), side(2700, 2)), minute(1, side(300, 60))], watch);
    expect(judged.minutes).toEqual([T0]);
    expect(judged.green).toEqual(side(300, 1));
  });

  it("adds older minutes while either side lacks the decision's minimum of requests, up to windowMinutes", () => {
    const quiet = [0, 1, 2, 3].map((n) => minute(n, side(10, 1, 0.1), side(100, 0, 0.05)));
    const judged = newestCompleteWindow(quiet, watch);
    expect(judged.minutes).toEqual([T0 + 180_000, T0 + 120_000, T0 + 60_000]);
    expect(judged.green).toEqual(side(30, 3, 0.1));
    expect(newestCompleteWindow(quiet, { ...watch, windowMinutes: 1 }).green).toEqual(side(10, 1, 0.1));
  });

  it("weights p95 by requests across minutes (percentiles do not add), null when no minute has one", () => {
    const judged = newestCompleteWindow(
      [minute(0, side(10, 0, 0.1), side(100, 0, null)), minute(1, side(30, 0, 0.2), side(100, 0, null))],
      {
        ...watch,
        minRequests: 40,
      },
    );
    expect(judged.green.p95Seconds).toBeCloseTo((10 * 0.1 + 30 * 0.2) / 40, 12);
    expect(judged.blue.p95Seconds).toBeNull();
  });

  it("nothing published yet is no verdict yet, never healthy", () => {
    const judged = newestCompleteWindow([minute(0, undefined, side(2700, 0)), minute(1)], watch);
    expect(judged.minutes).toEqual([]);
    expect(decideWindow(judged, PROD_CANARY)).toEqual({
      kind: "not-enough-traffic",
      reason: "no minute of both target groups published yet in the last 4 whole minutes",
    });
  });
});

/**
 * A stand-in for CloudWatch's GetMetricData, because moto's CloudWatch
 * answers with every datapoint the moment it is put and so cannot show a
 * publication delay. The load balancer's per-minute figures of both target
 * groups become visible `delaySeconds` after their minute ends; a query for
 * [StartTime, EndTime) with a Period answers one Sum per period that holds a
 * visible minute, stamped with the period's start, newest first (GetMetricData's
 * default ScanBy TimestampDescending:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 * Traffic: 5 req/s to the new version (10 % canary), 45 req/s to the current
 * one with 2 5xx a minute; from `regressionAt`, 20 % of the new version's
 * requests fail.
 */
function delayedCloudWatch(delaySeconds: number, regressionAt: number, clock: () => number) {
  const figures = (id: string, start: number): number | undefined => {
    const regressed = Math.min(60_000, Math.max(0, start + 60_000 - Math.max(start, regressionAt))) / 60_000;
    const byId: Record<string, number | undefined> = {
      greenRequests: 300,
      greenErrors: Math.round(300 * regressed * 0.2) || undefined, // no datapoint for a count with no data
      greenP95: 0.05,
      blueRequests: 2700,
      blueErrors: 2,
      blueP95: 0.05,
    };
    return byId[id];
  };
  return (input: GetMetricDataCommandInput) => {
    const from = (input.StartTime as Date).getTime();
    const to = (input.EndTime as Date).getTime();
    const results: MetricDataResult[] = (input.MetricDataQueries ?? []).map((query) => {
      const period = (query.MetricStat?.Period ?? 60) * 1000;
      const timestamps: Date[] = [];
      const values: number[] = [];
      for (let bucket = from; bucket < to; bucket += period) {
        let sum: number | undefined;
        for (let start = bucket; start < Math.min(bucket + period, to); start += 60_000) {
          const visible = start + 60_000 + delaySeconds * 1000 <= clock();
          const value = visible ? figures(query.Id as string, start) : undefined;
          if (value !== undefined) sum = query.MetricStat?.Stat === "p95" ? value : (sum ?? 0) + value;
        }
        if (sum !== undefined) {
          timestamps.unshift(new Date(bucket));
          values.unshift(sum);
        }
      }
      return { Id: query.Id, Timestamps: timestamps, Values: values, StatusCode: "Complete" };
    });
    return { MetricDataResults: results };
  };
}

describe("the watch sees a regression whatever the load balancer's publication delay", () => {
  // Lambda timeout 70 s less the handler's 5 s reserve (stacks/canary.ts, functions/canary-watch.ts): six polls a tick.
  const BUDGET_MS = 65_000;
  const FIRST_TICK = T0 + 2_000;
  const REGRESSION_AT = T0 + 5 * 60_000 + 20_000; // 03:05:20, a third into a minute

  it.each([0, 30, 60, 90])("publication delay %i s: stopped within the rest of the minute + the delay + one poll", async (delaySeconds) => {
    let now = FIRST_TICK;
    const client = new CloudWatchClient({ region: "eu-central-1" });
    mockClient(client)
      .on(GetMetricDataCommand)
      .callsFake(delayedCloudWatch(delaySeconds, REGRESSION_AT, () => now));
    let stoppedAt: number | undefined;
    const ports: WatchPorts = {
      deployments: {
        status: async () => "InProgress",
        taskSets: async () => ({ greenTargetGroup: "tg-g", blueTargetGroup: "tg-b", greenTrafficPercent: 10 }),
        stopWithRollback: async () => {
          stoppedAt = now;
          return "stopped";
        },
      },
      metrics: cloudWatchTargetMetrics("app/prod-lb/1", client),
      schedules: { start: async () => "started", stop: async () => "stopped" },
      notify: async () => {},
      sleep: async (ms) => {
        now += ms;
      },
      now: () => new Date(now),
    };
    const context = {
      stage: "prod",
      controllerName: "CodeDeploy" as const,
      mode: "enforce" as const,
      settings: PROD_CANARY,
      targetId: "cluster:service",
      targetGroups: { "tg-g": "targetgroup/tg-g/1", "tg-b": "targetgroup/tg-b/2" },
    };
    // EventBridge Scheduler's one-minute ticks for a quarter of an hour.
    for (let tick = FIRST_TICK; tick < T0 + 15 * 60_000 && stoppedAt === undefined; tick += 60_000) {
      now = tick;
      await watchForAMinute("d-DELAY", context, ports, BUDGET_MS);
    }

    expect(stoppedAt, "never stopped").toBeDefined();
    const afterRegression = ((stoppedAt as number) - REGRESSION_AT) / 1000;
    expect(afterRegression).toBeGreaterThan(0);
    expect(afterRegression).toBeLessThanOrEqual(40 + delaySeconds + PROD_CANARY.watch.pollSeconds);
  });
});
