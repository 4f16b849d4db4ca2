import { createConnection, createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, inject, it } from "vitest";
import { freePort, type RunningService, startService } from "../helpers/processes";
import { createDatabase } from "./test-databases";

/**
 * A stage waking up starts its database and its tasks together: the tasks
 * must wait for the database, not crash on it. The database is "started"
 * here by opening a TCP relay to the real PostgreSQL on the port the service
 * was told to use.
 */
describe("a task that starts before its database", () => {
  let service: RunningService | undefined;
  let relay: Server | undefined;
  afterEach(() => {
    service?.child.kill("SIGKILL");
    relay?.close();
  });

  it("answers /health, keeps /ready at 503 until the database answers, then migrates and is ready", async () => {
    const real = new URL(await createDatabase(inject("postgresUrl"), "wakes"));
    const port = await freePort();
    const url = new URL(real);
    url.host = `127.0.0.1:${port}`;

    service = await startService({ DATABASE_URL: url.toString(), MIGRATE_ON_START: "true", LOG_LEVEL: "warn" });
    const ready = async () => {
      const response = await fetch(`${service?.url}/ready`);
      return `${response.status} ${await response.text()}`;
    };
    expect(await ready()).toBe("503 MIGRATING");
    await sleep(1500);
    expect(service.child.exitCode).toBeNull();
    expect(service.logs()).toContain("database not reachable yet: migrating when it is");

    relay = createServer((client) => {
      const upstream = createConnection({ host: real.hostname, port: Number(real.port) });
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => relay?.listen(port, "127.0.0.1", resolve));
    const databaseUp = Date.now();
    let answer = await ready();
    while (answer !== "200 READY" && Date.now() - databaseUp < 20_000) {
      await sleep(200);
      answer = await ready();
    }
    expect(answer).toBe("200 READY");
    // Retries back off from 1 s to at most 15 s: the first attempt after the database is up comes within one back-off.
    expect(Date.now() - databaseUp).toBeLessThan(16_000);
    const created = await fetch(`${service.url}/api/polls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "Awake?", options: ["yes", "no"] }),
    });
    expect(created.status).toBe(201);
  });
});
