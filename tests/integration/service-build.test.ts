import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, SERVICE_DIR } from "../helpers/processes";

// No Docker engine here: this runs the Dockerfile's build step (tsc with tsconfig.build.json) and the image's
// CMD and HEALTHCHECK commands on its output, as the container would.
describe("the compiled service, as the image runs it", () => {
  const dist = mkdtempSync(path.join(tmpdir(), "service-dist-"));
  let port: number;
  let child: ReturnType<typeof spawn>;

  beforeAll(async () => {
    execFileSync(
      process.execPath,
      [path.join(SERVICE_DIR, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", dist],
      { cwd: SERVICE_DIR },
    );
    port = await freePort();
    // NODE_PATH is not used by ESM: the compiled files resolve their packages from service/node_modules through a link.
    execFileSync("ln", ["-s", path.join(SERVICE_DIR, "node_modules"), path.join(dist, "node_modules")]);
    child = spawn(process.execPath, [path.join(dist, "main.js")], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
      stdio: "ignore",
    });
    for (let i = 0; i < 100 && !(await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok; i++) await sleep(100);
  });
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it("starts from dist/main.js and passes the container health check", () => {
    const healthcheck = () =>
      execFileSync(process.execPath, [path.join(dist, "healthcheck.js")], { env: { ...process.env, PORT: String(port) } });
    expect(healthcheck).not.toThrow();
  });

  it("fails the health check when nothing answers", async () => {
    const silent = await freePort();
    expect(() =>
      execFileSync(process.execPath, [path.join(dist, "healthcheck.js")], {
        env: { ...process.env, PORT: String(silent) },
        stdio: "ignore",
      }),
    ).toThrow();
  });
});
