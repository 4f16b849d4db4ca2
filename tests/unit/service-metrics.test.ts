import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestMetrics } from "../../service/src/metrics";

interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

function captureRecords() {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  return () => log.mock.calls.map(([line]) => JSON.parse(String(line)) as EmfRecord);
}

afterEach(() => vi.restoreAllMocks());

describe("request metrics (CloudWatch Embedded Metric Format)", () => {
  it("writes one record per window with exact counts, latency samples and the stage dimension", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("dev");
    metrics.record(200, 12.345);
    metrics.record(503, 80);
    metrics.record(201, 7);
    await metrics.flush();

    const [record] = records();
    expect(records()).toHaveLength(1);
    const [directive] = record?._aws.CloudWatchMetrics ?? [];
    expect(directive?.Namespace).toBe("HandsOffOps/Service");
    expect(directive?.Dimensions).toEqual([["Stage"]]);
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: "Requests", Unit: "Count" },
        { Name: "ServerErrors", Unit: "Count" },
        { Name: "Latency", Unit: "Milliseconds" },
      ]),
    );
    expect(record).toMatchObject({ Stage: "dev", Requests: 3, ServerErrors: 1, Latency: [12.35, 80, 7] });
  });

  it("writes nothing for an idle window, and starts each window from zero", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("dev");
    await metrics.flush();
    expect(records()).toEqual([]);
    metrics.record(200, 1);
    await metrics.flush();
    metrics.record(500, 2);
    await metrics.flush();
    expect(records().map((r) => [r.Requests, r.ServerErrors])).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });

  it("keeps at most 100 latency samples however busy the window, while counting every request", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("prod", () => 0.5);
    for (let i = 0; i < 10_000; i++) metrics.record(200, i);
    await metrics.flush();
    const [record] = records();
    expect(record?.Requests).toBe(10_000);
    expect(record?.Latency as number[]).toHaveLength(100);
  });
});
