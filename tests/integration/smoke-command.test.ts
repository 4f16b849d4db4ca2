import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, type RunningService, startService } from "../helpers/processes";
import { runCommand } from "../helpers/run-command";

/** `npm run smoke` as the deploy workflow runs it, against the real service. */
async function smoke(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runCommand("smoke", args, env);
  return { code, output: stdout + stderr };
}

describe("npm run smoke", () => {
  const services: RunningService[] = [];
  afterEach(() => {
    for (const service of services.splice(0)) service.child.kill("SIGKILL");
  });

  it("runs the stage's smoke suite against a URL and writes the job summary", async () => {
    const service = await startService({ LOG_LEVEL: "warn" });
    services.push(service);
    const summary = path.join(mkdtempSync(path.join(tmpdir(), "summary-")), "summary.md");
    const { code, output } = await smoke(["--stage", "dev", "--url", service.url], { GITHUB_STEP_SUMMARY: summary });
    expect(output).toContain("✓ health: 200 in");
    expect(output).toContain("✓ API reads the database: 404 in");
    expect(output).toContain("All 4 smoke checks passed on dev");
    expect(code).toBe(0);
    const written = readFileSync(summary, "utf8");
    expect(written).toContain(`### Smoke checks on dev (${service.url}/)`);
    expect(written).toMatch(/\| ✅ \| database ready \| 200 in \d+ ms \| 1 \|/);
  });

  it("waits for a stage that is still waking up, then checks it", async () => {
    const port = await freePort();
    // The service comes up 3 s after the command starts waiting.
    const late = new Promise<void>((resolve) =>
      setTimeout(async () => {
        services.push(await startService({ LOG_LEVEL: "warn" }, port));
        resolve();
      }, 3000),
    );
    const { code, output } = await smoke(["--stage", "dev", "--url", `http://127.0.0.1:${port}`, "--wait-minutes", "1"]);
    await late;
    expect(output).toMatch(/ready after \d+ s/);
    expect(code).toBe(0);
  });

  it("fails, naming the check and what it saw, when the new version is broken", async () => {
    // Every API call answers 500: the check that reads the database fails after its warm-up retries. dev's own
    // retries (4), 10 ms apart at first instead of 1 s (1 + 2 + 4 + 8 s of waiting), through the stage's settings file.
    const settings = path.join(mkdtempSync(path.join(tmpdir(), "smoke-settings-")), "ops.settings.json");
    writeFileSync(settings, JSON.stringify({ dev: { canary: { warmup: { minDelayMs: 10 } } } }));
    const service = await startService({ LOG_LEVEL: "warn", FAULT_ERROR_RATE: "1" });
    services.push(service);
    const { code, output } = await smoke(["--stage", "dev", "--url", service.url], { OPS_SETTINGS_FILE: settings });
    expect(output).toMatch(/✗ API reads the database: status 500, expected 404 \(\d+ ms\) \(5 attempts\)/);
    expect(output).toContain("1 of 4 smoke checks failed on dev");
    expect(code).toBe(1);
  });

  it.each([
    [["--url", "http://x"], "--stage is required"],
    [["--stage", "dev", "--url", "ftp://x"], '--url "ftp://x" must be http or https'],
    [["--stage", "dev", "--url", "http://x", "--wait-minutes", "soon"], "--wait-minutes must be a whole number from 0 to 60"],
    [["--stage", "Dev", "--url", "http://x"], 'Stage "Dev": the name must be lower-case'],
  ])("refuses %j with exit code 2", async (args, message) => {
    const { code, output } = await smoke(args);
    expect(output).toContain(message);
    expect(code).toBe(2);
  });
});
