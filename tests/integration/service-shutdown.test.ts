import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";

const SERVICE = path.resolve(import.meta.dirname, "../../service");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the service as ECS would run it, on the embedded database, and waits for /health. */
async function startService(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVICE,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", STAGE: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout?.on("data", (chunk) => (logs += chunk));
  child.stderr?.on("data", (chunk) => (logs += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await fetch(`${url}/health`).catch(() => undefined))?.ok) return { child, url, logs: () => logs };
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`the service did not start:\n${logs}`);
}

describe("graceful shutdown on SIGTERM", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
  });

  it("finishes the request in flight, refuses new connections and exits 0 well before the deadline", async () => {
    // Every API call takes 1.5 s: long enough to stop the service in the middle of one.
    const service = await startService({ FAULT_DELAY_MS: "1500", SHUTDOWN_DEADLINE_MS: "10000" });
    child = service.child;
    const inFlight = fetch(`${service.url}/api/polls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "Still counted?", options: ["yes", "no"] }),
    });
    await sleep(300);
    const stopped = Date.now();
    child.kill("SIGTERM");
    await sleep(200);

    const refused = await fetch(`${service.url}/health`).then(
      (response) => response.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(refused);
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ question: "Still counted?" });

    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(5000);
    expect(service.logs()).toContain('"msg":"stopped"');
    // The last metrics window is written on the way out: the in-flight request and the health checks.
    const emf = service
      .logs()
      .split("\n")
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ Stage: "test", ServerErrors: 0 });
    expect(emf[0].Requests).toBeGreaterThanOrEqual(2);
  });

  it("exits 2 with the reason when its configuration is bad", async () => {
    const bad = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: SERVICE,
      env: { ...process.env, STAGE: "prod", FAULT_ERROR_RATE: "0.5" },
    });
    let stderr = "";
    bad.stderr.on("data", (chunk) => (stderr += chunk));
    const [code] = await once(bad, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("FAULT_ERROR_RATE: fault injection is refused in prod");
  });
});
