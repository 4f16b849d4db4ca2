import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { freePort, type RunningService, startService } from "../helpers/processes";

/**
 * The deploy workflow's smoke function (functions/deploy-smoke.ts, through its middy chain) against the real
 * service, with the environment stacks/deploy-smoke.ts gives it: what the workflow reads from inside the VPC.
 */
type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
let handler: Handler;
const CONTEXT = { functionName: "dev-hands-off-ops-deploy-smoke", awsRequestId: "req-1", getRemainingTimeInMillis: () => 900_000 };

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ handler } = (await import("../../functions/deploy-smoke")) as unknown as { handler: Handler });
});

function environmentFor(url: string, warmup?: { minDelayMs: number }) {
  const canary = stageSettings("dev").canary;
  process.env.STAGE = "dev";
  process.env.CANARY_SETTINGS = JSON.stringify(warmup ? { ...canary, warmup: { ...canary.warmup, ...warmup } } : canary);
  process.env.PRODUCTION_URL = url;
}

describe("the deploy smoke function", () => {
  const services: RunningService[] = [];
  afterEach(() => {
    for (const service of services.splice(0)) service.child.kill("SIGKILL");
  });

  it("passes the stage's whole suite against a healthy service", async () => {
    const service = await startService({ LOG_LEVEL: "warn" });
    services.push(service);
    environmentFor(service.url);
    const report = await handler({}, CONTEXT);
    expect(report).toMatchObject({ stage: "dev", url: service.url, ready: null, passed: true });
    expect((report.results as unknown[]).length).toBe(stageSettings("dev").canary.smoke.length);
  });

  it("waits for a stage still waking up, then checks it", async () => {
    const port = await freePort();
    environmentFor(`http://127.0.0.1:${port}`);
    const late = new Promise<void>((resolve) =>
      setTimeout(async () => {
        services.push(await startService({ LOG_LEVEL: "warn" }, port));
        resolve();
      }, 3000),
    );
    const report = await handler({ waitForReadySeconds: 60 }, CONTEXT);
    await late;
    expect(report.ready).toMatchObject({ ok: true });
    expect(report.passed).toBe(true);
  });

  it("fails, naming the check, when every API call answers 500", async () => {
    const service = await startService({ LOG_LEVEL: "warn", FAULT_ERROR_RATE: "1" });
    services.push(service);
    // dev's warm-up retries, 10 ms apart at first instead of 1 s (15 s of waiting), as the stack would pass them.
    environmentFor(service.url, { minDelayMs: 10 });
    const report = await handler({}, CONTEXT);
    expect(report.passed).toBe(false);
    const failed = (report.results as { check: string; passed: boolean; detail: string; attempts: number }[]).filter((r) => !r.passed);
    expect(failed.map((r) => r.check)).toEqual(["API reads the database"]);
    expect(failed[0]?.detail).toMatch(/status 500, expected 404/);
    expect(failed[0]?.attempts).toBe(stageSettings("dev").canary.warmup.retries + 1);
  });

  it("rejects a request it does not know, and checks nothing", async () => {
    environmentFor("http://127.0.0.1:9");
    expect(await handler({ waitForReadySeconds: 9999 }, CONTEXT)).toMatchObject({ rejected: true, passed: false });
    expect(await handler({ smoke: true, url: "http://elsewhere" }, CONTEXT)).toMatchObject({ rejected: true, passed: false });
  });
});
