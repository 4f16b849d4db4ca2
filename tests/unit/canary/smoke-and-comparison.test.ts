import { compareVersions, sampleBoth } from "@hands-off-ops/core/canary/comparison";
import type { Exchange } from "@hands-off-ops/core/canary/ports";
import { judgeExchange, runSmokeSuite } from "@hands-off-ops/core/canary/smoke";
import { describe, expect, it } from "vitest";
import { healthyAnswer, ok, PROD_CANARY, refused, scriptedHttp } from "./helpers";

const health = PROD_CANARY.smoke[0] as NonNullable<(typeof PROD_CANARY.smoke)[0]>;

describe("a smoke check judges one exchange", () => {
  it.each([
    ["the expected status, body and latency", ok(40), true, "200 in 40 ms"],
    ["another status", ok(40, 503, "UP"), false, "status 503, expected 200 (40 ms)"],
    ["a body that does not match", ok(40, 200, "DOWN"), false, "body does not match /^UP$/ (40 ms)"],
    ["an answer over the budget", ok(800), false, "800 ms, over the 500 ms budget"],
    ["no answer", refused(), false, "no response: ECONNREFUSED"],
  ] as const)("%s", (_name, exchange, passed, detail) => {
    expect(judgeExchange(health, exchange)).toEqual({ passed, detail });
  });
});

describe("the smoke suite", () => {
  const options = { baseUrl: "http://green.test:9000", retries: 3, minDelayMs: 10, signal: new AbortController().signal };

  it("runs every check against the new version and passes when all pass", async () => {
    const http = scriptedHttp((request) => healthyAnswer(request));
    const results = await runSmokeSuite(PROD_CANARY.smoke, http, options);
    expect(results.map((r) => [r.check, r.passed, r.attempts])).toEqual(PROD_CANARY.smoke.map((c) => [c.name, true, 1]));
    expect(http.requests.map((r) => r.url)).toContain("http://green.test:9000/api/polls/00000000-0000-4000-8000-000000000000/results");
  });

  it("retries while the new tasks warm up, with backoff", async () => {
    const http = scriptedHttp((request, call) => (call <= 2 ? refused() : healthyAnswer(request)));
    const [result] = await runSmokeSuite([health], http, options);
    expect(result).toMatchObject({ passed: true, attempts: 3 });
  });

  it("fails with the last attempt's reason once the retries are spent", async () => {
    const http = scriptedHttp(() => ok(10, 502, "Bad Gateway"));
    const [result] = await runSmokeSuite([health], http, options);
    expect(result).toEqual({ check: "health", passed: false, detail: "status 502, expected 200 (10 ms)", attempts: 4, latencyMs: 10 });
  });

  it("stops retrying when the deadline aborts it", async () => {
    const deadline = new AbortController();
    const http = scriptedHttp(() => {
      deadline.abort();
      return refused();
    });
    const [result] = await runSmokeSuite([health], http, { ...options, signal: deadline.signal, minDelayMs: 60_000 });
    expect(result).toMatchObject({ passed: false, attempts: 1 });
  });
});

describe("comparing the new version with the current one", () => {
  const settings = PROD_CANARY.comparison;
  const sample = (count: number, make: (i: number) => Exchange) => Array.from({ length: count }, (_, i) => make(i));
  const steady = (base: number) => (i: number) => ok(base + (i % 10));

  it("passes when both behave alike", () => {
    const verdict = compareVersions(sample(200, steady(20)), sample(200, steady(20)), settings);
    expect(verdict).toMatchObject({ passed: true, regressions: [] });
    expect(verdict.green).toMatchObject({ requests: 200, errors: 0, errorRate: 0 });
  });

  it("fails on an error rate that is higher beyond chance and beyond the margin", () => {
    const verdict = compareVersions(
      sample(200, (i) => (i < 12 ? ok(20, 500) : ok(20))),
      sample(200, (i) => (i < 2 ? ok(20, 500) : ok(20))),
      settings,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.errorRateP).toBeCloseTo(0.005738941430019923, 8);
    expect(verdict.regressions).toEqual([
      expect.stringMatching(/^error rate 6\.0 % against 1\.0 % \(Fisher p = 0\.0057, α = 0\.01, margin 1\.0 %\)$/),
    ]);
  });

  it("forgives a difference chance explains", () => {
    const verdict = compareVersions(
      sample(200, (i) => (i < 3 ? refused() : ok(20))),
      sample(200, (i) => (i < 1 ? refused() : ok(20))),
      settings,
    );
    expect(verdict.passed).toBe(true);
    expect(verdict.errorRateP).toBeGreaterThan(settings.alpha);
  });

  it("fails on slower answers beyond chance and beyond the p95 margin", () => {
    const verdict = compareVersions(sample(200, steady(60)), sample(200, steady(20)), settings);
    expect(verdict.passed).toBe(false);
    expect(verdict.regressions).toEqual([
      expect.stringMatching(/^p95 latency 69 ms against 29 ms \(Mann-Whitney p < 0\.0001, α = 0\.01, margin \+25 %\)$/),
    ]);
  });

  it("forgives a significant but small slowdown within the margin", () => {
    const verdict = compareVersions(sample(200, steady(22)), sample(200, steady(20)), settings);
    expect(verdict.latencyP).toBeLessThan(settings.alpha);
    expect(verdict.passed).toBe(true);
  });

  it("fails a new version that answers nothing", () => {
    const verdict = compareVersions(
      sample(20, () => refused()),
      sample(20, steady(20)),
      settings,
    );
    expect(verdict.regressions).toContain("the new version answered no request successfully");
  });
});

describe("the comparison's warm-up", () => {
  it("sends the warm-up requests to both versions first and does not count them: a cold start is not a regression", async () => {
    // The new version's first 20 requests are slow, as a task's first requests are while it compiles its code paths.
    let greenCalls = 0;
    const http = scriptedHttp((request) => {
      if (!request.url.startsWith("http://green")) return ok(20);
      greenCalls++;
      return ok(greenCalls <= 20 ? 400 : 20);
    });
    const settings = { ...PROD_CANARY.comparison, warmupRequests: 20, requests: 100 };
    const signal = new AbortController().signal;
    const { green, blue } = await sampleBoth(http, settings, { greenUrl: "http://green", blueUrl: "http://blue", signal });
    expect(http.requests).toHaveLength(2 * 120);
    expect([green.length, blue.length]).toEqual([100, 100]);
    expect(compareVersions(green, blue, settings).passed).toBe(true);

    const counted = await sampleBoth(
      scriptedHttp(() => ok(20)),
      { ...settings, warmupRequests: 0 },
      {
        greenUrl: "http://green",
        blueUrl: "http://blue",
        signal,
      },
    );
    expect(counted.green).toHaveLength(100);
  });
});
