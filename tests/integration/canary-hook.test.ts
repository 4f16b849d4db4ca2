import { setTimeout as sleep } from "node:timers/promises";
import { runHook } from "@hands-off-ops/core/canary/hook";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import type { HookPorts, HookStatus } from "@hands-off-ops/core/canary/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { freePort, type RunningService, startService } from "../helpers/processes";

/**
 * The hook's real HTTP checks and comparison against the real service from
 * service/, started as "blue" (healthy) and as "green" with its fault switches
 * on; only CodeDeploy is replaced, by a recorder of the reports.
 */

const PROD = stageSettings("prod", {}).canary;
// Blue, green and this runner share two cores here (in AWS each version has its own tasks), and the scheduler
// favours one process over the other for seconds at a time: with prod's ten request pairs in flight, two
// identical services measured p95 84 ms against 65 ms, and 82 against 50 in CI. Two pairs at a time, after a
// longer warm-up, and a p95 margin of +100 % (not +25 %) keep that noise out; the faults below are 10× beyond it.
const SETTINGS = {
  ...PROD,
  warmup: { retries: 2, minDelayMs: 100 },
  comparison: { ...PROD.comparison, concurrency: 2, warmupRequests: 60, maxP95IncreasePercent: 100 },
};
const services: RunningService[] = [];
let blue: RunningService;

beforeAll(async () => {
  blue = await startService({});
  services.push(blue);
}, 60_000);
afterAll(() => {
  for (const service of services) service.child.kill("SIGTERM");
});

async function green(env: Record<string, string>) {
  const service = await startService(env);
  services.push(service);
  return service;
}

function recordingPorts() {
  const reports: HookStatus[] = [];
  const ports: HookPorts = {
    http: fetchHttp(),
    report: async (_deployment, _execution, status) => {
      reports.push(status);
    },
    sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
  };
  return { ports, reports };
}

const run = (testUrl: string, ports: HookPorts, remainingMs = 120_000, settings = SETTINGS) =>
  runHook(
    { hook: "AfterAllowTestTraffic", deploymentId: "d-INTEG1", executionId: "exec" },
    settings,
    { testUrl, productionUrl: blue.url },
    ports,
    remainingMs,
  );

describe("the AfterAllowTestTraffic hook against the real service", () => {
  it("passes a healthy new version: smoke suite and comparison", async () => {
    const healthy = await green({});
    const { ports, reports } = recordingPorts();
    const verdict = await run(healthy.url, ports);
    expect(reports, verdict.reason).toEqual(["Succeeded"]);
    expect(verdict.smoke?.every((r) => r.passed)).toBe(true);
    expect(verdict.comparison).toMatchObject({ passed: true, green: { requests: 200, errors: 0 }, blue: { requests: 200, errors: 0 } });
  });

  it("fails a new version that answers 20 % of API calls with 500, naming the regression", async () => {
    const faulty = await green({ FAULT_ERROR_RATE: "0.2" });
    const { ports, reports } = recordingPorts();
    // The smoke checks tolerate a flaky answer through their warm-up retries; the comparison does not.
    const verdict = await run(faulty.url, ports, 120_000, { ...SETTINGS, warmup: { retries: 8, minDelayMs: 50 } });
    expect(reports).toEqual(["Failed"]);
    expect(verdict.comparison?.green.errorRate).toBeGreaterThan(0.1);
    expect(verdict.reason).toMatch(/^the new version regressed: error rate \d+\.\d % against 0\.0 % \(Fisher p < 0\.0001/);
  });

  it("fails a new version that is 200 ms slower on every API call", async () => {
    const slow = await green({ FAULT_DELAY_MS: "200" });
    const { ports, reports } = recordingPorts();
    const settings = {
      ...SETTINGS,
      smoke: SETTINGS.smoke.filter((c) => !c.path.startsWith("/api/")),
      // 200 ms stands far out of any scheduling noise: prod's concurrency keeps this test short.
      comparison: { ...SETTINGS.comparison, requests: 60, warmupRequests: 20, concurrency: PROD.comparison.concurrency },
    };
    const verdict = await run(slow.url, ports, 120_000, settings);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toMatch(/p95 latency \d+ ms against \d+ ms \(Mann-Whitney p < 0\.0001/);
  });

  it("fails, after its warm-up retries, a new version that never comes up", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const { ports, reports } = recordingPorts();
    const verdict = await run(nobody, ports);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.smoke?.[0]).toMatchObject({ passed: false, attempts: 3, detail: "no response: ECONNREFUSED" });
  });

  it("reports Failed before the deadline when the new version hangs", async () => {
    const hanging = await green({ FAULT_DELAY_MS: "20000" });
    const { ports, reports } = recordingPorts();
    const settings = {
      ...SETTINGS,
      reserveSeconds: 2,
      smoke: [{ ...SETTINGS.smoke[3], latencyBudgetMs: 30_000 }] as typeof SETTINGS.smoke,
    };
    const started = Date.now();
    const verdict = await run(hanging.url, ports, 5_000, settings);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toBe("the checks did not finish within 3 s, the time left before the deadline");
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
