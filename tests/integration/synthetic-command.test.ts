import { afterEach, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";
import { runCommand } from "../helpers/run-command";

/**
 * `npm run synthetic`: the file the stage's CloudWatch Synthetics canary runs
 * (synthetics/flow.js), run against the real service and its PostgreSQL.
 * The fault switches make the service misbehave as a bad release would.
 */
async function synthetic(url: string) {
  const { code, stdout, stderr } = await runCommand("synthetic", ["--url", url]);
  return { code, output: stdout + stderr };
}

describe("npm run synthetic", () => {
  const services: RunningService[] = [];
  afterEach(() => {
    for (const service of services.splice(0)) service.child.kill("SIGKILL");
  });

  it("gets through the health check, the page and a poll created, voted on and read back", async () => {
    const service = await startService({ LOG_LEVEL: "warn" });
    services.push(service);
    const { code, output } = await synthetic(service.url);
    for (const step of ["health", "voting page", "create a poll", "vote", "read the result"])
      expect(output).toMatch(new RegExp(`✓ ${step} \\(\\d+ ms\\)`));
    expect(output).toContain(`The synthetic user got through on ${service.url}.`);
    expect(code).toBe(0);
  });

  it("fails naming the step when the API answers 500 (a bad release)", async () => {
    const service = await startService({ LOG_LEVEL: "warn", FAULT_ERROR_RATE: "1" });
    services.push(service);
    const { code, output } = await synthetic(service.url);
    expect(output).toContain("✓ voting page");
    expect(output).toMatch(/✗ create a poll: status 500, expected 201: .*Injected fault/);
    expect(code).toBe(1);
  });

  it("fails naming the step when the service is down, and refuses a missing URL", async () => {
    const { code, output } = await synthetic("http://127.0.0.1:9");
    expect(output).toMatch(/✗ health: /);
    expect(code).toBe(1);
    const usage = await runCommand("synthetic", []);
    expect(usage.stdout + usage.stderr).toContain("--url is required");
    expect(usage.code).toBe(2);
  });
});
