import type { WatchPorts } from "@hands-off-ops/core/canary/ports";
import { decideWatch } from "@hands-off-ops/core/canary/watch";
import { watchForAMinute } from "@hands-off-ops/core/canary/watch-run";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { describe, expect, it } from "vitest";
import { PROD_CANARY } from "./helpers";

const window = (requests: number, errors5xx: number, p95Seconds: number | null = 0.05) => ({ requests, errors5xx, p95Seconds });

describe("watching the canary's real traffic", () => {
  it.each([
    ["too little traffic yet", window(10, 5), window(500, 0), "not-enough-traffic"],
    ["alike", window(100, 1), window(900, 8), "healthy"],
    ["more 5xx beyond chance and margin", window(100, 12), window(900, 9), "regression"],
    ["a few more 5xx than blue, within chance", window(100, 2), window(900, 9), "healthy"],
    ["p95 beyond the margin", window(100, 0, 0.2), window(900, 0, 0.05), "regression"],
    ["p95 within the margin", window(100, 0, 0.06), window(900, 0, 0.05), "healthy"],
  ] as const)("%s → %s", (_name, green, blue, kind) => {
    expect(decideWatch(green, blue, PROD_CANARY).kind).toBe(kind);
  });

  it("says why it stops, with the evidence", () => {
    const decision = decideWatch(window(100, 12, 0.3), window(900, 9, 0.05), PROD_CANARY);
    expect(decision).toEqual({
      kind: "regression",
      reasons: [
        "5xx rate 12.0 % against 1.0 % (Fisher p < 0.0001, α = 0.01, margin 1.0 %)",
        "p95 response time 300 ms against 50 ms (margin +25 %)",
      ],
    });
  });
});

function fakePorts(options: {
  status?: string;
  greenPercent?: number;
  windows: { green: ReturnType<typeof window>; blue: ReturnType<typeof window> }[];
  finished?: boolean;
}) {
  const calls: string[] = [];
  const notices: AutomationNotice[] = [];
  let poll = 0;
  const ports: WatchPorts = {
    deployments: {
      status: async () => options.status ?? "InProgress",
      taskSets: async () => ({ greenTargetGroup: "tg-b", blueTargetGroup: "tg-a", greenTrafficPercent: options.greenPercent ?? 10 }),
      stopWithRollback: async (id) => {
        calls.push(`stop ${id}`);
        return options.finished ? "already-finished" : "stopped";
      },
    },
    metrics: {
      window: async (groups) => {
        calls.push(`metrics ${groups.green} vs ${groups.blue}`);
        return options.windows[Math.min(poll++, options.windows.length - 1)] as never;
      },
    },
    schedules: {
      start: async () => "started",
      stop: async (id) => {
        calls.push(`unschedule ${id}`);
        return "stopped";
      },
    },
    notify: async (notice) => {
      notices.push(notice);
    },
    sleep: async (ms) => {
      calls.push(`sleep ${ms}`);
    },
    now: () => new Date("2026-11-20T03:00:30Z"),
  };
  return { ports, calls, notices };
}

const context = (mode: "enforce" | "dry-run" = "enforce") => ({
  stage: "prod",
  controllerName: "CodeDeploy" as const,
  mode,
  settings: PROD_CANARY,
  targetId: "cluster:service",
  targetGroups: { "tg-a": "targetgroup/tg-a/1", "tg-b": "targetgroup/tg-b/2" },
});

describe("a minute of watching", () => {
  const healthy = { green: window(100, 0), blue: window(900, 1) };
  const regressed = { green: window(100, 20), blue: window(900, 1) };

  it("polls every pollSeconds within the minute, comparing the green task set's target group with the blue one's", async () => {
    const { ports, calls } = fakePorts({ windows: [healthy] });
    const tick = await watchForAMinute("d-W1", context(), ports, 55_000);
    // prod polls every 5 s: 11 polls fit in 55 s.
    expect(tick).toMatchObject({ kind: "watched", polls: 11, last: { kind: "healthy" }, source: "load balancer" });
    expect(calls.filter((c) => c.startsWith("metrics"))).toEqual(Array(11).fill("metrics targetgroup/tg-b/2 vs targetgroup/tg-a/1"));
    expect(calls.filter((c) => c.startsWith("sleep"))).toEqual(Array(10).fill("sleep 5000"));
  });

  it("stops the release with rollback on a regression, stops watching, and tells on-call", async () => {
    const { ports, calls, notices } = fakePorts({ windows: [healthy, regressed] });
    const tick = await watchForAMinute("d-W2", context(), ports, 55_000);
    expect(tick).toMatchObject({ kind: "stopped" });
    expect(calls.slice(-2)).toEqual(["stop d-W2", "unschedule d-W2"]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ severity: "critical", dryRun: false, thread: { deploymentId: "d-W2", role: "reply" } });
    expect(notices[0]?.summary).toMatch(/^With 10 % of real traffic on the new version/);
  });

  it("in dry-run decides and tells, but changes nothing", async () => {
    const { ports, calls, notices } = fakePorts({ windows: [regressed] });
    expect(await watchForAMinute("d-W3", context("dry-run"), ports, 55_000)).toMatchObject({ kind: "would-stop" });
    expect(calls).not.toContain("stop d-W3");
    expect(notices[0]?.dryRun).toBe(true);
  });

  it("says nothing when the release had already finished", async () => {
    const { ports, notices } = fakePorts({ windows: [regressed], finished: true });
    expect(await watchForAMinute("d-W4", context(), ports, 55_000)).toMatchObject({ kind: "already-finished" });
    expect(notices).toEqual([]);
  });

  it("ends its own schedule once the release is over, and waits while no real traffic reaches the new version", async () => {
    const over = fakePorts({ status: "Succeeded", windows: [healthy] });
    expect(await watchForAMinute("d-W5", context(), over.ports, 55_000)).toEqual({ kind: "finished", status: "Succeeded" });
    expect(over.calls).toEqual(["unschedule d-W5"]);
    const testOnly = fakePorts({ greenPercent: 0, windows: [healthy] });
    expect(await watchForAMinute("d-W6", context(), testOnly.ports, 55_000)).toEqual({ kind: "no-canary-traffic" });
  });
});
