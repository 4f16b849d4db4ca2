import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestMetrics } from "../../service/src/metrics";
import { taskDefinitionRevision } from "../../service/src/task-revision";

interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string; StorageResolution?: number }[];
    }[];
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

describe("per-revision request metrics (the canary watch's fast path)", () => {
  it("writes requests and 5xx since the last flush at 1-second storage resolution, by stage and task definition", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("prod", Math.random, "prod-hands-off-ops:42");
    metrics.record(200, 5);
    metrics.record(502, 9);
    metrics.record(204, 3);
    await metrics.flushRevision();

    expect(records()).toHaveLength(1);
    const [record] = records();
    const [directive] = record?._aws.CloudWatchMetrics ?? [];
    expect(directive?.Namespace).toBe("HandsOffOps/Service");
    expect(directive?.Dimensions).toEqual([["Stage", "TaskDefinition"]]);
    expect(directive?.Metrics).toEqual([
      { Name: "Requests", Unit: "Count", StorageResolution: 1 },
      { Name: "ServerErrors", Unit: "Count", StorageResolution: 1 },
    ]);
    expect(record).toMatchObject({ Stage: "prod", TaskDefinition: "prod-hands-off-ops:42", Requests: 3, ServerErrors: 1 });
    expect(record?._aws.Timestamp).toBeGreaterThan(Date.now() - 60_000);
  });

  it("writes nothing without requests, counts each flush from zero, and leaves the window record as it was", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("prod", Math.random, "fam:7");
    await metrics.flushRevision();
    expect(records()).toEqual([]);
    metrics.record(500, 1);
    await metrics.flushRevision();
    metrics.record(200, 1);
    metrics.record(200, 1);
    await metrics.flushRevision();
    await metrics.flushRevision();
    await metrics.flush();
    const lines = records();
    expect(lines.map((r) => [r.Requests, r.ServerErrors, r.TaskDefinition])).toEqual([
      [1, 1, "fam:7"],
      [2, 0, "fam:7"],
      [3, 1, undefined],
    ]);
    const windowRecord = lines[2]?._aws.CloudWatchMetrics[0];
    expect(windowRecord?.Dimensions).toEqual([["Stage"]]);
    expect(windowRecord?.Metrics.every((m) => m.StorageResolution === undefined)).toBe(true);
  });

  it("writes no per-revision record when no revision is known (outside ECS)", async () => {
    const records = captureRecords();
    const metrics = new RequestMetrics("dev");
    metrics.record(500, 1);
    await metrics.flushRevision();
    expect(records()).toEqual([]);
  });
});

describe("task definition revision (ECS task metadata endpoint v4)", () => {
  it("is family:revision from the task document", async () => {
    const fetchImpl = vi.fn(
      async () =>
        new Response(JSON.stringify({ Cluster: "arn:aws:ecs:eu-central-1:111122223333:cluster/c", Family: "prod-svc", Revision: "17" })),
    );
    const revision = await taskDefinitionRevision({ ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/abc" }, fetchImpl);
    expect(revision).toBe("prod-svc:17");
    expect(fetchImpl).toHaveBeenCalledWith("http://169.254.170.2/v4/abc/task", expect.anything());
  });

  it("is null outside ECS, and an error when the endpoint's answer has no revision", async () => {
    const fetchImpl = vi.fn(async () => new Response("{}"));
    expect(await taskDefinitionRevision({}, fetchImpl)).toBeNull();
    expect(fetchImpl).not.toHaveBeenCalled();
    await expect(taskDefinitionRevision({ ECS_CONTAINER_METADATA_URI_V4: "http://x" }, fetchImpl)).rejects.toThrow(/Family and Revision/);
  });
});
