import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../service/src/migrations";
import { type PostgresCluster, startPostgresCluster } from "../helpers/postgres-server";
import { type RunningService, startService } from "../helpers/processes";
import { connectPostgres, createDatabase } from "./test-databases";

/**
 * The service against a PostgreSQL of its own that the tests end, restart and freeze, as RDS does in a failover or
 * maintenance. Before the pool had an error listener, the first of these ended the process ("Unhandled 'error'
 * event ... 57P01"); before statements and connects had timeouts, the last one hung every request.
 */
describe("the service survives its database", () => {
  let cluster: PostgresCluster;
  let databaseUrl: string;
  let service: RunningService;
  let poll: { id: string; options: { id: string }[] };

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${service.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(15_000),
    });
  const vote = (key?: string) =>
    api(`/api/polls/${poll.id}/votes`, {
      method: "POST",
      body: JSON.stringify({ optionId: poll.options[0]?.id }),
      headers: key ? { "idempotency-key": key } : {},
    });
  const storedVotes = async () => {
    const db = await connectPostgres(databaseUrl);
    try {
      return Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM votes WHERE poll_id = $1", [poll.id])).rows[0]?.n);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    databaseUrl = await createDatabase(cluster.url, "survives");
    const db = await connectPostgres(databaseUrl);
    await migrate(db);
    await db.close();
    service = await startService({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: "4",
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      DATABASE_STATEMENT_TIMEOUT_MS: "1000",
    });
    const created = await api("/api/polls", { method: "POST", body: JSON.stringify({ question: "Up?", options: ["yes", "no"] }) });
    poll = (await created.json()) as typeof poll;
  });
  afterEach(() => {
    cluster.thaw();
    expect(service.child.exitCode, service.logs()).toBeNull();
  });
  afterAll(() => {
    service?.child.kill("SIGKILL");
    cluster?.stop();
  });

  it("stays up when PostgreSQL ends its idle connections (pg_terminate_backend), and the next request reconnects", async () => {
    // Four votes at once leave four idle clients in the pool.
    expect((await Promise.all([vote(), vote(), vote(), vote()])).map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const admin = await connectPostgres(databaseUrl);
    const ended = await admin.query<{ ended: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    await admin.close();
    expect(ended.rows.length).toBeGreaterThanOrEqual(1);
    await sleep(300);
    expect(service.child.exitCode).toBeNull();
    expect(service.logs()).toMatch(/database connection lost; reconnecting on the next request/);
    expect((await vote()).status).toBe(201);
    expect(await (await api("/ready")).text()).toBe("READY");
  });

  it("stays up through a restart at low load: the first request after it is served", async () => {
    expect((await vote()).status).toBe(201);
    cluster.restart();
    await sleep(300);
    expect((await vote()).status).toBe(201);
  });

  it("stays up through a restart under load: no 500, and votes retried with their key after a 503 are stored exactly once", async () => {
    const before = await storedVotes();
    const statuses = new Map<number, number>();
    let acknowledged = 0;
    let stop = false;
    const voter = async () => {
      while (!stop) {
        const key = randomUUID();
        for (;;) {
          const status = await vote(key).then((r) => r.status);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 201) break;
          await sleep(50);
        }
        acknowledged++;
      }
    };
    const voters = Array.from({ length: 8 }, voter);
    await sleep(1000);
    cluster.restart();
    await sleep(1500);
    stop = true;
    await Promise.all(voters);
    expect([...statuses.keys()].sort()).toEqual(statuses.has(503) ? [201, 503] : [201]);
    expect(acknowledged).toBeGreaterThan(20);
    expect((await storedVotes()) - before).toBe(acknowledged);
  });

  it("answers 503 with Retry-After, and /ready 503, while the database is frozen; serves again once it thaws", async () => {
    expect((await vote()).status).toBe(201);
    cluster.freeze();
    const [voted, ready] = await Promise.all([vote(), api("/ready")]);
    expect([voted.status, voted.headers.get("retry-after"), ((await voted.json()) as { message: string }).message]).toEqual([
      503,
      "5",
      "The database is unavailable; try again in a few seconds.",
    ]);
    expect([ready.status, await ready.text()]).toEqual([503, expect.stringMatching(/^DATABASE (NOT ANSWERING|UNAVAILABLE)$/)]);
    expect((await api(`/api/polls/${poll.id}/results`)).status).toBe(503);
    cluster.thaw();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 201; attempt++) {
      status = (await vote()).status;
      if (status !== 201) await sleep(250);
    }
    expect(status).toBe(201);
  });
});
