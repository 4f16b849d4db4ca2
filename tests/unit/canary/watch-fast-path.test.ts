import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient, GetDeploymentTargetCommand } from "@aws-sdk/client-codedeploy";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTaskSetsCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { codeDeployCanary } from "@hands-off-ops/core/canary/aws-canary-deployments";
import { ecsCanary } from "@hands-off-ops/core/canary/aws-ecs-canary";
import { cloudWatchRevisionMetrics } from "@hands-off-ops/core/canary/aws-revision-metrics";
import type { WatchPorts } from "@hands-off-ops/core/canary/ports";
import type { TargetGroupWindow } from "@hands-off-ops/core/canary/watch";
import { watchForAMinute } from "@hands-off-ops/core/canary/watch-run";
import { CONFIRM_WITHIN_PERIODS, confirmRegression, decideWindow } from "@hands-off-ops/core/canary/watch-window";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PROD_CANARY } from "./helpers";

const cloudWatch = mockClient(CloudWatchClient);
const codeDeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => {
  for (const mock of [cloudWatch, codeDeploy, ecs, elb]) mock.reset();
});

const NOW = new Date("2026-11-20T03:00:37Z");
const at = (iso: string) => new Date(iso);

describe("the service's per-revision metrics (GetMetricData, 10-s periods)", () => {
  it("asks for both revisions' Requests and ServerErrors in 10-s periods up to the last whole one, and sums the newest with both", async () => {
    // GetMetricData's documented answer: per query Id, Timestamps newest first with their Values, StatusCode.
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: "greenRequests",
          Label: "Requests",
          Timestamps: [at("2026-11-20T03:00:20Z"), at("2026-11-20T03:00:10Z"), at("2026-11-20T03:00:00Z")],
          Values: [25, 20, 18],
          StatusCode: "Complete",
        },
        { Id: "greenErrors", Label: "ServerErrors", Timestamps: [at("2026-11-20T03:00:10Z")], Values: [6], StatusCode: "Complete" },
        // Blue's newest period has not arrived yet: that period is not judged.
        {
          Id: "blueRequests",
          Label: "Requests",
          Timestamps: [at("2026-11-20T03:00:10Z"), at("2026-11-20T03:00:00Z")],
          Values: [180, 170],
          StatusCode: "Complete",
        },
        { Id: "blueErrors", Label: "ServerErrors", Timestamps: [at("2026-11-20T03:00:00Z")], Values: [1], StatusCode: "Complete" },
      ],
      Messages: [],
    });
    const window = await cloudWatchRevisionMetrics("prod").window({ green: "prod-svc:8", blue: "prod-svc:7" }, PROD_CANARY.watch, NOW);

    // PROD_CANARY: minRequests 30, so the two newest complete periods are summed (20 + 18 green, 180 + 170 blue).
    expect(window).toEqual({
      green: { requests: 38, errors5xx: 6, p95Seconds: null },
      blue: { requests: 350, errors5xx: 1, p95Seconds: null },
      minutes: [Date.parse("2026-11-20T03:00:10Z"), Date.parse("2026-11-20T03:00:00Z")],
    });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.EndTime).toEqual(at("2026-11-20T03:00:30Z"));
    expect(input?.StartTime).toEqual(at("2026-11-20T02:58:30Z"));
    expect(
      input?.MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Period, q.MetricStat?.Stat]),
    ).toEqual([
      ["greenRequests", "Requests", 10, "Sum"],
      ["greenErrors", "ServerErrors", 10, "Sum"],
      ["blueRequests", "Requests", 10, "Sum"],
      ["blueErrors", "ServerErrors", 10, "Sum"],
    ]);
    expect(input?.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({
      Namespace: "HandsOffOps/Service",
      MetricName: "Requests",
      Dimensions: [
        { Name: "Stage", Value: "prod" },
        { Name: "TaskDefinition", Value: "prod-svc:8" },
      ],
    });
  });

  it("is null while either revision has no data (a service that does not write them, or the first seconds)", async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "greenRequests", Timestamps: [], Values: [], StatusCode: "Complete" },
        { Id: "blueRequests", Timestamps: [at("2026-11-20T03:00:10Z")], Values: [180], StatusCode: "Complete" },
      ],
    });
    await expect(
      cloudWatchRevisionMetrics("prod").window({ green: "prod-svc:8", blue: "prod-svc:7" }, PROD_CANARY.watch, NOW),
    ).resolves.toBeNull();
  });
});

describe("the release's revisions (CodeDeploy's task sets, ECS DescribeTaskSets)", () => {
  const target = {
    deploymentTarget: {
      ecsTarget: {
        taskSetsInfo: [
          {
            identifer: "ecs-svc/1111111111111111111",
            taskSetLabel: "Blue" as const,
            targetGroup: { name: "prod-Green" },
            trafficWeight: 90,
          },
          {
            identifer: "ecs-svc/2222222222222222222",
            taskSetLabel: "Green" as const,
            targetGroup: { name: "prod-Blue" },
            trafficWeight: 10,
          },
        ],
      },
    },
  };
  const taskSet = (id: string, revision: number) => ({
    id,
    taskSetArn: `arn:aws:ecs:eu-central-1:123456789012:task-set/prod-cluster/prod-service/${id}`,
    taskDefinition: `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-svc:${revision}`,
    status: "ACTIVE",
  });

  it("names green's and blue's task definition as family:revision", async () => {
    codeDeploy.on(GetDeploymentTargetCommand).resolves(target);
    ecs.on(DescribeTaskSetsCommand).resolves({
      taskSets: [taskSet("ecs-svc/1111111111111111111", 7), taskSet("ecs-svc/2222222222222222222", 8)],
      failures: [],
    });
    const sets = await codeDeployCanary(new CodeDeployClient({}), new ECSClient({})).taskSets("d-1", "prod-cluster:prod-service");
    expect(sets).toEqual({
      greenTargetGroup: "prod-Blue",
      blueTargetGroup: "prod-Green",
      greenTrafficPercent: 10,
      revisions: { green: "prod-svc:8", blue: "prod-svc:7" },
    });
    expect(ecs.commandCalls(DescribeTaskSetsCommand)[0]?.args[0].input).toEqual({
      cluster: "prod-cluster",
      service: "prod-service",
      taskSets: ["ecs-svc/2222222222222222222", "ecs-svc/1111111111111111111"],
    });
  });

  it("leaves the revisions out, with the reason, when ECS cannot tell: the load balancer still judges", async () => {
    codeDeploy.on(GetDeploymentTargetCommand).resolves(target);
    ecs.on(DescribeTaskSetsCommand).resolves({
      taskSets: [taskSet("ecs-svc/1111111111111111111", 7)],
      failures: [{ arn: "ecs-svc/2222222222222222222", reason: "MISSING" }],
    });
    const sets = await codeDeployCanary(new CodeDeployClient({}), new ECSClient({})).taskSets("d-1", "prod-cluster:prod-service");
    expect(sets?.revisions).toBeUndefined();
    expect(sets?.revisionsUnknown).toMatch(/ecs-svc\/2222222222222222222 \(MISSING\)/);
  });
});

describe("the release's revisions under ECS's own blue/green (DescribeServiceDeployments, DescribeServiceRevisions)", () => {
  const SERVICE_ARN = "arn:aws:ecs:eu-central-1:123456789012:service/prod-cluster/prod-service";
  const RULES = {
    production: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/prod-lb/1/2/3",
    test: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/prod-lb/1/4/5",
  };
  const tg = (name: string) => `arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/${name}/0123456789abcdef`;
  const revisionArn = (id: string) => `arn:aws:ecs:eu-central-1:123456789012:service-revision/prod-cluster/prod-service/${id}`;
  const canary = () =>
    ecsCanary(
      { controller: "ecs", cluster: "prod-cluster", service: "prod-service", serviceArn: SERVICE_ARN },
      RULES,
      new ECSClient({}),
      new ElasticLoadBalancingV2Client({}),
    );
  const forward = (groups: [string, number][]) => [
    { Type: "forward" as const, ForwardConfig: { TargetGroups: groups.map(([name, Weight]) => ({ TargetGroupArn: tg(name), Weight })) } },
  ];

  it("names the target revision's task definition green and the source revision's blue", async () => {
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          RuleArn: RULES.production,
          Actions: forward([
            ["prod-Blue", 90],
            ["prod-Green", 10],
          ]),
        },
        { RuleArn: RULES.test, Actions: forward([["prod-Green", 100]]) },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: "arn:aws:ecs:eu-central-1:123456789012:service-deployment/prod-cluster/prod-service/EZe5RNVLH6PPzHXINuP28",
          status: "IN_PROGRESS",
          targetServiceRevision: { arn: revisionArn("2222"), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
          sourceServiceRevisions: [{ arn: revisionArn("1111"), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }],
        },
      ],
      failures: [],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: revisionArn("1111"), taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-svc:7" },
        { serviceRevisionArn: revisionArn("2222"), taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-svc:8" },
      ],
      failures: [],
    });
    const sets = await canary().taskSets("EZe5RNVLH6PPzHXINuP28", "prod-cluster:prod-service");
    expect(sets).toEqual({
      greenTargetGroup: "prod-Green",
      blueTargetGroup: "prod-Blue",
      greenTrafficPercent: 10,
      revisions: { green: "prod-svc:8", blue: "prod-svc:7" },
    });
    expect(ecs.commandCalls(DescribeServiceRevisionsCommand)[0]?.args[0].input).toEqual({
      serviceRevisionArns: [revisionArn("2222"), revisionArn("1111")],
    });
  });

  it("leaves the revisions out when the deployment names no single source revision", async () => {
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          RuleArn: RULES.production,
          Actions: forward([
            ["prod-Blue", 90],
            ["prod-Green", 10],
          ]),
        },
        { RuleArn: RULES.test, Actions: forward([["prod-Green", 100]]) },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: "IN_PROGRESS" }] });
    const sets = await canary().taskSets("EZe5RNVLH6PPzHXINuP28", "prod-cluster:prod-service");
    expect(sets).toMatchObject({ greenTargetGroup: "prod-Green", revisionsUnknown: expect.stringMatching(/source revisions/) });
    expect(ecs.commandCalls(DescribeServiceRevisionsCommand)).toEqual([]);
  });
});

describe("a minute of watching with the fast path", () => {
  const w = (requests: number, errors5xx: number, p95Seconds: number | null = 0.05): TargetGroupWindow => ({
    requests,
    errors5xx,
    p95Seconds,
  });

  type Side = { green: TargetGroupWindow; blue: TargetGroupWindow };
  /** The service's windows poll by poll (the last repeats); each poll's newest 10-s period is `newest` ms, or moves on by one period a poll. */
  function ports(options: { revisions: boolean; fast: Side | null | Side[]; newest?: (poll: number) => number }) {
    const calls: string[] = [];
    let polled = 0;
    const port: WatchPorts = {
      deployments: {
        status: async () => "InProgress",
        taskSets: async () => ({
          greenTargetGroup: "tg-b",
          blueTargetGroup: "tg-a",
          greenTrafficPercent: 10,
          ...(options.revisions ? { revisions: { green: "svc:8", blue: "svc:7" } } : { revisionsUnknown: "no ids" }),
        }),
        stopWithRollback: async (id) => {
          calls.push(`stop ${id}`);
          return "stopped";
        },
      },
      // The load balancer's last minute: healthy (a regression that began seconds ago is not in it yet).
      metrics: {
        window: async () => {
          calls.push("load balancer");
          return { green: w(100, 0), blue: w(900, 1), minutes: [0] };
        },
      },
      revisionMetrics: {
        window: async (revisions) => {
          calls.push(`service ${revisions.green} vs ${revisions.blue}`);
          const poll = polled++;
          const windows = Array.isArray(options.fast) ? options.fast : [options.fast];
          const fast = windows[Math.min(poll, windows.length - 1)] ?? null;
          return fast ? { ...fast, minutes: [(options.newest ?? ((p) => p * 10_000))(poll)] } : null;
        },
      },
      schedules: { start: async () => "started", stop: async () => "stopped" },
      notify: async () => {},
      sleep: async () => {},
      now: () => NOW,
    };
    return { port, calls };
  }
  const context = {
    stage: "prod",
    controllerName: "CodeDeploy" as const,
    mode: "enforce" as const,
    settings: PROD_CANARY,
    targetId: "cluster:service",
    targetGroups: { "tg-a": "targetgroup/tg-a/1", "tg-b": "targetgroup/tg-b/2" },
  };

  it("stops on the service's 10-s counts when both revisions have them, while the load balancer's minute looks healthy", async () => {
    const { port, calls } = ports({ revisions: true, fast: { green: w(40, 10, null), blue: w(360, 0, null) } });
    const tick = await watchForAMinute("d-F1", context, port, 55_000);
    expect(tick).toMatchObject({ kind: "stopped" });
    if (tick.kind !== "stopped") throw new Error("not stopped");
    expect(tick.reasons).toEqual([expect.stringMatching(/^service metrics, 10-s periods: 5xx rate 25\.0 % against 0\.0 %/)]);
    // The first regressed window is confirmed by the next, one period newer: the stop follows the second poll.
    expect(calls).toEqual(["load balancer", "service svc:8 vs svc:7", "load balancer", "service svc:8 vs svc:7", "stop d-F1"]);
  });

  it("does not stop on one regressed window of the service's that the next window, one period newer, does not show", async () => {
    const chance = { green: w(40, 3, null), blue: w(360, 0, null) };
    const healthy = { green: w(40, 0, null), blue: w(360, 0, null) };
    expect(decideWindow(chance, PROD_CANARY).kind).toBe("regression");
    expect(decideWindow(healthy, PROD_CANARY).kind).toBe("healthy");
    const { port, calls } = ports({ revisions: true, fast: [chance, healthy, healthy, healthy, healthy, healthy] });
    const tick = await watchForAMinute("d-F7", context, port, 30_000);
    expect(tick).toMatchObject({ kind: "watched", source: "service", last: { kind: "healthy" } });
    expect(calls).not.toContain("stop d-F7");
  });

  it("does not count the same window twice: a regression with no newer period stays unconfirmed", async () => {
    const { port, calls } = ports({ revisions: true, fast: { green: w(40, 10, null), blue: w(360, 0, null) }, newest: () => 0 });
    const tick = await watchForAMinute("d-F8", context, port, 30_000);
    expect(tick).toMatchObject({ kind: "watched", last: { kind: "healthy" } });
    if (tick.kind !== "watched") throw new Error("not watched");
    expect(tick.unconfirmed).toEqual([expect.stringMatching(/^service metrics, 10-s periods: 5xx rate 25\.0 %/)]);
    expect(calls).not.toContain("stop d-F8");
  });

  it("judges the load balancer's metrics when the service's are absent, or the revisions unknown", async () => {
    const absent = ports({ revisions: true, fast: null });
    expect(await watchForAMinute("d-F2", context, absent.port, 12_000)).toMatchObject({
      kind: "watched",
      source: "load balancer",
      last: { kind: "healthy" },
    });
    const unknown = ports({ revisions: false, fast: { green: w(40, 10, null), blue: w(360, 0, null) } });
    expect(await watchForAMinute("d-F3", context, unknown.port, 12_000)).toMatchObject({
      kind: "watched",
      source: "load balancer",
      revisionsUnknown: "no ids",
    });
    expect(unknown.calls.filter((c) => c.startsWith("service"))).toEqual([]);
  });

  it("judges the load balancer's metrics when reading the service's fails, and says why", async () => {
    const failing = ports({ revisions: true, fast: null });
    failing.port.revisionMetrics = { window: async () => Promise.reject(new Error("Rate exceeded")) };
    expect(await watchForAMinute("d-F6", context, failing.port, 12_000)).toMatchObject({
      kind: "watched",
      source: "load balancer",
      last: { kind: "healthy" },
      fastPathError: "Rate exceeded",
    });
  });

  it("reports the service as its source when its counts are healthy, and still stops on the load balancer's p95", async () => {
    const healthy = ports({ revisions: true, fast: { green: w(40, 0, null), blue: w(360, 1, null) } });
    expect(await watchForAMinute("d-F4", context, healthy.port, 12_000)).toMatchObject({ kind: "watched", source: "service" });
    const slow = ports({ revisions: true, fast: { green: w(40, 0, null), blue: w(360, 1, null) } });
    slow.port.metrics.window = async () => ({ green: w(100, 0, 0.4), blue: w(900, 1, 0.05), minutes: [0] });
    const tick = await watchForAMinute("d-F5", context, slow.port, 12_000);
    expect(tick).toMatchObject({ kind: "stopped", reasons: [expect.stringMatching(/^p95 response time 400 ms/)] });
  });
});

describe("confirming a regression of the service's periods", () => {
  const regression = { kind: "regression" as const, reasons: ["5xx rate"] };
  const healthy = { kind: "healthy" as const, reason: "fine" };
  const period = (k: number) => ({ minutes: [k * 10_000] });

  it("a first regressed window is pending, a later one with a newer period confirms it", () => {
    const first = confirmRegression(null, period(1), regression);
    expect(first).toEqual({ confirmed: false, pending: 10_000 });
    expect(confirmRegression(first.pending, period(2), regression)).toEqual({ confirmed: true, pending: null });
  });

  it("the same newest period again confirms nothing", () => {
    expect(confirmRegression(10_000, period(1), regression)).toEqual({ confirmed: false, pending: 10_000 });
  });

  it(`a healthy window in between leaves it pending for ${CONFIRM_WITHIN_PERIODS} periods, then it lapses`, () => {
    expect(confirmRegression(10_000, period(2), healthy)).toEqual({ confirmed: false, pending: 10_000 });
    expect(confirmRegression(10_000, period(1 + CONFIRM_WITHIN_PERIODS), regression)).toEqual({ confirmed: true, pending: null });
    expect(confirmRegression(10_000, period(2 + CONFIRM_WITHIN_PERIODS), healthy)).toEqual({ confirmed: false, pending: null });
    // A regression after the lapse is a first one again.
    expect(confirmRegression(10_000, period(2 + CONFIRM_WITHIN_PERIODS), regression)).toEqual({
      confirmed: false,
      pending: (2 + CONFIRM_WITHIN_PERIODS) * 10_000,
    });
  });

  it("a window with no period of both revisions neither confirms nor starts one", () => {
    expect(confirmRegression(null, { minutes: [] }, regression)).toEqual({ confirmed: false, pending: null });
    expect(confirmRegression(10_000, { minutes: [] }, regression)).toEqual({ confirmed: false, pending: 10_000 });
  });
});
