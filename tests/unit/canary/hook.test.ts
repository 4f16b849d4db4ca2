import { runHook } from "@hands-off-ops/core/canary/hook";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { Exchange, HookPorts, HookStatus } from "@hands-off-ops/core/canary/ports";
import { ECS_HOOKS, type EcsHook } from "@hands-off-ops/core/release/appspec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { healthyAnswer, ok, PROD_CANARY, scriptedHttp } from "./helpers";

const targets = { testUrl: "http://green.test:9000", productionUrl: "http://blue.test" };
const invocation = (hook: EcsHook) => ({ hook, deploymentId: "d-CANARY1", executionId: "exec-1" });
const FAST = { ...PROD_CANARY, warmup: { retries: 0, minDelayMs: 10 }, comparison: { ...PROD_CANARY.comparison, requests: 40 } };

/** Ports whose deadline timer never fires unless told to, and which record every report. */
function ports(answer: Parameters<typeof scriptedHttp>[0], deadline: "never" | "now" = "never") {
  const reports: HookStatus[] = [];
  const hookPorts: HookPorts = {
    http: scriptedHttp(answer),
    report: async (_deployment, _execution, status) => {
      reports.push(status);
    },
    sleep: (_ms, signal) =>
      deadline === "now" ? Promise.resolve() : new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
  };
  return { hookPorts, reports };
}

describe("a lifecycle hook reports exactly one verdict", () => {
  it.each(ECS_HOOKS)("%s: Succeeded when its configured checks pass", async (hook) => {
    const { hookPorts, reports } = ports((request) => healthyAnswer(request));
    const verdict = await runHook(invocation(hook), FAST, targets, hookPorts, 300_000);
    expect(reports).toEqual(["Succeeded"]);
    const kinds = FAST.hooks[hook] as string[];
    expect(verdict.smoke === null).toBe(!kinds.includes("smoke"));
    expect(verdict.comparison === null).toBe(!kinds.includes("compare"));
    if (!kinds.length) expect(verdict.reason).toBe(`no checks are configured for ${hook}`);
  });

  it("Failed with the failing check named, without comparing", async () => {
    const greenNotReady = (request: { url: string }) => request.url.startsWith(targets.testUrl) && request.url.endsWith("/ready");
    const { hookPorts, reports } = ports((request) => (greenNotReady(request) ? ok(15, 503, "draining") : healthyAnswer(request)));
    const verdict = await runHook(invocation("AfterAllowTestTraffic"), FAST, targets, hookPorts, 300_000);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toBe('smoke check "database ready" failed: status 503, expected 200 (15 ms)');
    expect(verdict.comparison).toBeNull();
    expect(verdict.stageNotReady).toBeUndefined();
  });

  it("Failed, without blaming the release, when the current version fails the same check (a stage still waking)", async () => {
    // The database is still starting: every task, old and new, answers /ready 503 MIGRATING.
    const { hookPorts, reports } = ports((request) => (request.url.endsWith("/ready") ? ok(15, 503, "MIGRATING") : healthyAnswer(request)));
    const verdict = await runHook(invocation("AfterAllowTestTraffic"), FAST, targets, hookPorts, 300_000);
    expect(reports).toEqual(["Failed"]);
    expect(verdict).toMatchObject({ status: "Failed", stageNotReady: true });
    expect(verdict.reason).toBe(
      'smoke check "database ready" failed: status 503, expected 200 (15 ms); the current version fails it too (status 503, expected 200 (15 ms)): the stage itself is not ready, as while it is still waking and its database starting, not the new version',
    );
    const notice = verdictNotice("dev", invocation("AfterAllowTestTraffic"), verdict, 0.01);
    expect(notice).toMatchObject({
      severity: "warning",
      title: "AfterAllowTestTraffic failed for release d-CANARY1: the stage is not ready, not the release",
    });
    expect(notice.nextStep).toMatch(/^Release again once the stage answers \/ready/);
    expect(`${notice.title} ${notice.nextStep}`).not.toMatch(/fix it/);
  });

  it("Failed when the new version regresses against the current one", async () => {
    let greenApiCalls = 0;
    // The smoke check's call passes; after it, every other comparison request to green fails.
    const { hookPorts, reports } = ports((request) =>
      request.url.startsWith(targets.testUrl) && request.url.includes("/api/") && ++greenApiCalls > 1 && greenApiCalls % 2 === 0
        ? ok(20, 500)
        : healthyAnswer(request),
    );
    const verdict = await runHook(invocation("AfterAllowTestTraffic"), FAST, targets, hookPorts, 300_000);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toMatch(/^the new version regressed: error rate/);
  });

  it("Failed, in time, when the deadline comes before the checks finish", async () => {
    const { hookPorts, reports } = ports(() => new Promise<Exchange>(() => {}), "now");
    const verdict = await runHook(invocation("AfterAllowTraffic"), FAST, targets, hookPorts, 70_000);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toBe("the checks did not finish within 60 s, the time left before the deadline");
  });

  it("Failed, naming the bug, when a check breaks", async () => {
    const { hookPorts, reports } = ports(() => {
      throw new TypeError("Cannot read properties of undefined");
    });
    const verdict = await runHook(invocation("AfterAllowTraffic"), FAST, targets, hookPorts, 300_000);
    expect(reports).toEqual(["Failed"]);
    expect(verdict.reason).toMatch(
      /^smoke check "health" failed: the check itself failed: TypeError: Cannot read properties of undefined;/,
    );
  });

  it("passes the report's own error on, after one attempt, for Lambda to retry", async () => {
    const { hookPorts } = ports((request) => healthyAnswer(request));
    let attempts = 0;
    hookPorts.report = async () => {
      attempts++;
      throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    };
    await expect(runHook(invocation("AfterAllowTraffic"), FAST, targets, hookPorts, 300_000)).rejects.toThrow("Rate exceeded");
    expect(attempts).toBe(1);
  });
});

describe("property: whatever the checks answer and whenever, one report", () => {
  it("holds for random answers, random timings and a deadline that may come first", async () => {
    const exchange = fc.oneof(
      fc.record({
        kind: fc.constant("response" as const),
        status: fc.constantFrom(200, 404, 500, 503),
        body: fc.constantFrom("UP", "<html", "x"),
        latencyMs: fc.nat(3000),
      }),
      fc.record({ kind: fc.constant("failure" as const), reason: fc.constant("ECONNRESET"), latencyMs: fc.nat(3000) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(exchange, { minLength: 1 }),
        fc.constantFrom(...ECS_HOOKS),
        fc.boolean(),
        async (s, answers, hook, throws) => {
          const reports: HookStatus[] = [];
          let call = 0;
          const hookPorts: HookPorts = {
            http: {
              send: () => {
                const answer = answers[call++ % answers.length] as Exchange;
                if (throws && call === 3) return s.schedule(Promise.reject(new Error("bug")));
                return s.schedule(Promise.resolve(answer));
              },
            },
            report: async (_d, _e, status) => {
              reports.push(status);
            },
            sleep: (_ms, signal) => s.schedule(Promise.resolve()).then(() => (signal.aborted ? undefined : undefined)),
          };
          const run = runHook(invocation(hook), FAST, targets, hookPorts, 120_000);
          await s.waitAll();
          const verdict = await run;
          expect(reports).toEqual([verdict.status]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("which listener a hook checks", () => {
  it("checks the test listener before traffic moves and the production listener after", async () => {
    const before = ports((request) => healthyAnswer(request));
    await runHook(
      invocation("AfterAllowTestTraffic"),
      { ...FAST, hooks: { ...FAST.hooks, AfterAllowTestTraffic: ["smoke"] } },
      targets,
      before.hookPorts,
      300_000,
    );
    const after = ports((request) => healthyAnswer(request));
    await runHook(invocation("AfterAllowTraffic"), FAST, targets, after.hookPorts, 300_000);
    const hosts = (p: HookPorts) => new Set((p.http as ReturnType<typeof scriptedHttp>).requests.map((r) => new URL(r.url).origin));
    expect(hosts(before.hookPorts)).toEqual(new Set([targets.testUrl]));
    expect(hosts(after.hookPorts)).toEqual(new Set([targets.productionUrl]));
  });
});
