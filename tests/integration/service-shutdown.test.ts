import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { SERVICE_DIR, startService } from "../helpers/processes";

describe("graceful shutdown on SIGTERM", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
  });

  it("drains, finishes the request in flight, then refuses new connections and exits 0 well before the deadline", async () => {
    // Every API call takes 1.5 s: long enough to stop the service in the middle of one.
    const service = await startService({ FAULT_DELAY_MS: "1500", SHUTDOWN_DEADLINE_MS: "10000", DRAIN_DELAY_MS: "1000" });
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

    // Draining: still answering, but not ready, and closing each connection after its response.
    const ready = await fetch(`${service.url}/ready`);
    expect([ready.status, await ready.text(), ready.headers.get("connection")]).toEqual([503, "DRAINING", "close"]);
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ question: "Still counted?" });

    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
    expect(Date.now() - stopped).toBeLessThan(5000);
    expect(service.logs()).toContain('"msg":"stopped"');
    // The last metrics window is written on the way out: the request that was in flight (probes are not counted).
    const emf = service
      .logs()
      .split("\n")
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ Stage: "test", Requests: 1, ServerErrors: 0 });
  });

  it("exits 2 with the reason when its configuration is bad", async () => {
    const bad = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: SERVICE_DIR,
      env: { ...process.env, STAGE: "prod", FAULT_ERROR_RATE: "0.5" },
    });
    let stderr = "";
    bad.stderr.on("data", (chunk) => (stderr += chunk));
    const [code] = await once(bad, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("FAULT_ERROR_RATE: fault injection is refused on a production stage");
  });
});
