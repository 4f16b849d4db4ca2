import { ECS_HOOK_MAX_MINUTES, type EcsHookResult, runEcsHook } from "@hands-off-ops/core/canary/ecs-hook";
import { checksAt, ECS_LIFECYCLE_STAGES, EcsHookEvent, isRollingBack, stagesWithChecks } from "@hands-off-ops/core/canary/ecs-stages";
import type { EcsHookPorts, Exchange, HttpRequest } from "@hands-off-ops/core/canary/ports";
import { describe, expect, it } from "vitest";
import { ecsHookEvent } from "../../fixtures/events";
import { healthyAnswer, ok, PROD_CANARY, scriptedHttp } from "./helpers";

const targets = { testUrl: "http://green.test:9000", productionUrl: "http://blue.test" };
const FAST = {
  ...PROD_CANARY,
  warmup: { retries: 0, minDelayMs: 10 },
  comparison: { ...PROD_CANARY.comparison, requests: 40, concurrency: 4 },
};
const NOW = Date.parse("2026-11-30T10:00:00Z");
const RELEASE = "EZe5RNVLH6PPzHXINuP28";

const event = (stage: string, hookDetails?: Record<string, unknown>) =>
  EcsHookEvent.parse({ ...ecsHookEvent(stage), ...(hookDetails ? { hookDetails } : {}) });

/**
 * Ports for one invocation. The invocation's time runs out after `requestsBeforeDeadline` HTTP requests (the first
 * sleep, which stands for the time the invocation has, resolves then), or never; the grace after it never ends here.
 */
function ports(
  answer: (request: HttpRequest) => Exchange = (request) => healthyAnswer(request),
  { requestsBeforeDeadline = Number.POSITIVE_INFINITY, firstDeployment = false, now = NOW } = {},
) {
  let deadline: (() => void) | undefined;
  const http = scriptedHttp((request, call) => {
    if (call >= requestsBeforeDeadline) deadline?.();
    return answer(request);
  });
  const asked: string[] = [];
  const hookPorts: EcsHookPorts = {
    http,
    isFirstDeployment: async (arn) => {
      asked.push(arn);
      return firstDeployment;
    },
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        deadline ??= () => resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    now: () => now,
  };
  return { hookPorts, http, asked };
}

const run = (stage: string, p = ports(), hookDetails?: Record<string, unknown>) =>
  runEcsHook(event(stage, hookDetails), FAST, targets, p.hookPorts, 120_000);

describe("the ECS Lambda hook contract over every lifecycle stage", () => {
  const checked = stagesWithChecks(FAST.hooks);

  it("registers the stages whose CodeDeploy equivalents have checks: test traffic checks after the test shift, AfterAllowTraffic after production", () => {
    expect(checked).toEqual(["POST_TEST_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"]);
    expect(checksAt("POST_TEST_TRAFFIC_SHIFT", { ...FAST.hooks, AfterAllowTestTraffic: [], BeforeAllowTraffic: ["compare"] })).toEqual({
      checkpoint: "AfterAllowTestTraffic",
      kinds: ["compare"],
    });
    expect(stagesWithChecks({ ...FAST.hooks, AfterAllowTestTraffic: [], AfterAllowTraffic: [] })).toEqual([]);
  });

  it.each(ECS_LIFECYCLE_STAGES.filter((stage) => !checked.includes(stage)))(
    "%s: SUCCEEDED at once, with no request sent (no checks there)",
    async (stage) => {
      const p = ports();
      const result = await run(stage, p);
      expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
      expect(result.skipped).toBe(`no checks are configured for ${stage}`);
      expect(p.http.requests).toHaveLength(0);
    },
  );

  it("POST_TEST_TRAFFIC_SHIFT: smoke on the test listener, then the comparison with production; SUCCEEDED with the evidence", async () => {
    const p = ports();
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(result.verdict?.smoke?.every((check) => check.passed)).toBe(true);
    expect(result.verdict?.comparison).toMatchObject({ passed: true, green: { requests: 40 }, blue: { requests: 40 } });
    expect(result.invocation).toMatchObject({ deploymentId: RELEASE, controller: "ecs", label: "POST_TEST_TRAFFIC_SHIFT" });
    const smokeUrls = p.http.requests.slice(0, FAST.smoke.length).map((r) => r.url);
    expect(smokeUrls.every((url) => url.startsWith(targets.testUrl))).toBe(true);
  });

  it("POST_PRODUCTION_TRAFFIC_SHIFT: smoke only, on the production listener (where users now reach the new version)", async () => {
    const p = ports();
    const result = await run("POST_PRODUCTION_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(result.verdict?.comparison).toBeNull();
    expect(p.http.requests.every((r) => r.url.startsWith(targets.productionUrl))).toBe(true);
    // Smoke checks alone need not know whether this is the first deployment: no call to ECS.
    expect(p.asked).toEqual([]);
  });

  it("a rollback's re-invocation (target at 0 %, the other revision at 100 %) answers SUCCEEDED without checking: nothing holds a rollback up", async () => {
    const rollback = EcsHookEvent.parse(ecsHookEvent("ROLLBACK_PRODUCTION_TRAFFIC_SHIFT"));
    expect(isRollingBack(rollback)).toBe(true);
    expect(isRollingBack(event("PRODUCTION_TRAFFIC_SHIFT"))).toBe(false);
    // The same weights before production traffic moves are no rollback (the guide's PRE_PRODUCTION_TRAFFIC_SHIFT sample).
    expect(isRollingBack(event("PRE_PRODUCTION_TRAFFIC_SHIFT"))).toBe(false);
    const testRollback = EcsHookEvent.parse({
      ...ecsHookEvent("TEST_TRAFFIC_SHIFT"),
      executionDetails: {
        ...rollback.executionDetails,
        testTrafficWeights: rollback.executionDetails.productionTrafficWeights,
        productionTrafficWeights: {},
      },
    });
    expect(isRollingBack(testRollback)).toBe(true);
    // The rollback is recognised before anything else is looked at.
    const p = ports();
    const result = await runEcsHook(rollback, FAST, targets, p.hookPorts, 120_000);
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(result.skipped).toMatch(/rolling the deployment back/);
    expect(p.http.requests).toHaveLength(0);
  });
});

describe("a long comparison answers IN_PROGRESS and goes on at the next invocation, with hookDetails", () => {
  /** Invokes the hook as ECS does: again with the hookDetails of each IN_PROGRESS answer, until SUCCEEDED or FAILED. */
  async function untilDone(answer: (request: HttpRequest, invocation: number) => Exchange, requestsPerInvocation: number) {
    const answers: EcsHookResult[] = [];
    let hookDetails: Record<string, unknown> | undefined = { S3_BUCKET_NAME: "configured-by-the-service" };
    const requests: HttpRequest[][] = [];
    while (answers.length < 20) {
      const invocation = answers.length + 1;
      const p = ports((request) => answer(request, invocation), { requestsBeforeDeadline: requestsPerInvocation });
      const result = await run("POST_TEST_TRAFFIC_SHIFT", p, hookDetails);
      answers.push(result);
      requests.push(p.http.requests);
      if (result.response.hookStatus !== "IN_PROGRESS") break;
      // ECS merges what the hook returns into what it was configured with.
      hookDetails = { ...hookDetails, ...result.response.hookDetails };
    }
    return { answers, requests };
  }

  it("samples across invocations: smoke and warm-up once, the full sample in the end, the same verdict a single run gives", async () => {
    const { answers, requests } = await untilDone((request) => healthyAnswer(request), 30);
    const statuses = answers.map((a) => a.response.hookStatus);
    expect(statuses.at(-1)).toBe("SUCCEEDED");
    expect(statuses.slice(0, -1).every((s) => s === "IN_PROGRESS")).toBe(true);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    for (const inProgress of answers.slice(0, -1)) {
      expect(inProgress.response.callBackDelay).toBe(10);
      expect(inProgress.verdict).toBeNull();
    }
    expect(answers.at(-1)?.verdict?.comparison).toMatchObject({ passed: true, green: { requests: 40 }, blue: { requests: 40 } });
    expect(answers.at(-1)?.verdict?.smoke).toHaveLength(FAST.smoke.length);
    const healthChecks = requests.flat().filter((r) => r.url === `${targets.testUrl}/health`);
    expect(healthChecks).toHaveLength(1);
    const comparisonRequests = requests.flat().filter((r) => r.url === new URL(FAST.comparison.path, targets.testUrl).toString());
    // The smoke's API check, the warm-up and the counted sample; none sent twice.
    expect(comparisonRequests.length).toBeGreaterThanOrEqual(1 + FAST.comparison.warmupRequests + 40);
    expect(comparisonRequests.length).toBeLessThanOrEqual(1 + FAST.comparison.warmupRequests + 40 + FAST.comparison.concurrency);
  });

  it("counts errors seen in an earlier invocation: a regression in the first slice fails the release at the end", async () => {
    const apiPath = new URL(FAST.comparison.path, targets.testUrl).toString();
    let greenApi = 0;
    const { answers } = await untilDone((request, invocation) => {
      // After the smoke check and the warm-up, the first invocation's green answers fail; later ones are fine.
      if (request.url === apiPath && ++greenApi > 1 + FAST.comparison.warmupRequests && invocation === 1) return ok(20, 500);
      return healthyAnswer(request);
    }, 80);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    const last = answers.at(-1);
    expect(last?.response).toEqual({ hookStatus: "FAILED" });
    expect(last?.verdict?.reason).toMatch(/^the new version regressed: error rate/);
    expect(last?.verdict?.comparison?.green.errors).toBeGreaterThan(0);
  });

  it(`FAILED once the checks have taken longer than ${ECS_HOOK_MAX_MINUTES} minutes over all invocations`, async () => {
    const first = await run("POST_TEST_TRAFFIC_SHIFT", ports(undefined, { requestsBeforeDeadline: 30 }));
    expect(first.response.hookStatus).toBe("IN_PROGRESS");
    const later = ports(undefined, { now: NOW + (ECS_HOOK_MAX_MINUTES * 60 + 1) * 1000 });
    const result = await run("POST_TEST_TRAFFIC_SHIFT", later, first.response.hookDetails);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict?.reason).toMatch(/did not finish within 1800 s/);
    expect(later.http.requests).toHaveLength(0);
  });

  it("starts over when the hookDetails it gets back are not its own (a configured key of the same name, an older shape)", async () => {
    const p = ports();
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p, { handsOffOps: { startedAt: "yesterday" } });
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(p.asked).toHaveLength(1);
  });
});

describe("the service's first deployment", () => {
  it("runs the smoke checks and skips the comparison: there is no current version to compare with", async () => {
    const p = ports(undefined, { firstDeployment: true });
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(p.asked).toEqual([ecsHookEvent("POST_TEST_TRAFFIC_SHIFT").resourceArn]);
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(result.verdict?.comparison).toBeNull();
    expect(result.verdict?.reason).toBe(
      `${FAST.smoke.length} smoke checks passed; no comparison: this is the service's first deployment, there is no current version to compare with`,
    );
    expect(p.http.requests.every((r) => r.url.startsWith(targets.testUrl))).toBe(true);
  });

  it("still fails on a failing smoke check", async () => {
    const p = ports((request) => (request.url.endsWith("/health") ? ok(10, 503, "DOWN") : healthyAnswer(request)), {
      firstDeployment: true,
    });
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
  });
});

describe("FAILED on every error path, never a throw", () => {
  it("a failing smoke check, without comparing", async () => {
    const greenNotReady = (request: HttpRequest) => request.url.startsWith(targets.testUrl) && request.url.endsWith("/ready");
    const p = ports((request) => (greenNotReady(request) ? ok(15, 503, "draining") : healthyAnswer(request)));
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict?.reason).toBe('smoke check "database ready" failed: status 503, expected 200 (15 ms)');
    expect(result.verdict?.comparison).toBeNull();
  });

  it("a smoke check the current version fails too: FAILED, told as the stage not being ready, not the release", async () => {
    const p = ports((request) => (request.url.endsWith("/ready") ? ok(15, 503, "MIGRATING") : healthyAnswer(request)));
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict).toMatchObject({ stageNotReady: true });
    expect(result.verdict?.reason).toMatch(
      /; the current version fails it too \(status 503, expected 200 \(15 ms\)\): the stage itself is not ready/,
    );
  });

  it("ECS's record of the deployment cannot be read", async () => {
    const p = ports();
    p.hookPorts.isFirstDeployment = async () => {
      throw Object.assign(new Error("User is not authorized to perform: ecs:DescribeServiceDeployments"), {
        name: "AccessDeniedException",
      });
    };
    const result = await run("POST_TEST_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict?.reason).toBe(
      "the hook itself failed: AccessDeniedException: User is not authorized to perform: ecs:DescribeServiceDeployments",
    );
  });

  it("the HTTP port itself throws (a bug): the smoke check says so and the release fails", async () => {
    const p = ports(() => {
      throw new TypeError("fetch is not a function");
    });
    const result = await run("POST_PRODUCTION_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict?.reason).toMatch(/the check itself failed: TypeError: fetch is not a function/);
  });

  it("the invocation's time runs out before the smoke checks answer", async () => {
    const p = ports(() => new Promise<Exchange>(() => {}) as unknown as Exchange);
    p.hookPorts.sleep = async () => {};
    const result = await run("POST_PRODUCTION_TRAFFIC_SHIFT", p);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.verdict?.reason).toBe("the checks did not finish within 110 s, the time left before the deadline");
  });
});
