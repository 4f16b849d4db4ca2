import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, type RunningService, startService } from "./processes";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

/** `npm run smoke` as the deploy workflow runs it, against the real service. */
async function smoke(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "packages/cli/src/smoke/main.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
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
    // Every API call answers 500: the check that reads the database fails after its warm-up retries.
    const service = await startService({ LOG_LEVEL: "warn", FAULT_ERROR_RATE: "1" });
    services.push(service);
    const { code, output } = await smoke(["--stage", "dev", "--url", service.url]);
    expect(output).toMatch(/✗ API reads the database: status 500, expected 404 \(\d+ ms\) \(5 attempts\)/);
    expect(output).toContain("1 of 4 smoke checks failed on dev");
    expect(code).toBe(1);
  }, 60_000);

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
