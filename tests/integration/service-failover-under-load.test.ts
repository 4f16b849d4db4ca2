import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../service/src/migrations";
import { type PostgresCluster, startPostgresCluster } from "../helpers/postgres-server";
import { type RunningService, startService } from "../helpers/processes";
import { connectPostgres, createDatabase } from "./test-databases";

/**
 * A Multi-AZ failover at peak traffic, on a real PostgreSQL: every backend ended (pg_terminate_backend) or the server
 * restarted (pg_ctl restart -m fast) while 20 clients vote, half with an Idempotency-Key as the page sends. Before
 * every pg client had an error listener of its own, the process died of "Unhandled 'error' event ... 57P01" in most
 * trials: a client handed to a waiting transaction had none until the transaction's continuation ran.
 */
const TRIALS = 10;
const CLIENTS = 20;
const RECOVERY_MS = 1_000;

interface Sample {
  startedAt: number;
  endedAt: number;
  status: number;
}

describe("the service under load through a failover", () => {
  let cluster: PostgresCluster;
  let databaseUrl: string;
  let service: RunningService;
  let keyedPoll: { id: string; options: { id: string }[] };
  let plainPoll: { id: string; options: { id: string }[] };

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
      signal: AbortSignal.timeout(10_000),
    });
  const stored = async (pollId: string) => {
    const db = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "1" });
    try {
      return Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM votes WHERE poll_id = $1", [pollId])).rows[0]?.n);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    databaseUrl = await createDatabase(cluster.url, "failover");
    const db = await connectPostgres(databaseUrl);
    await migrate(db);
    await db.close();
    // Fewer pool clients than HTTP clients: requests wait for a client, as they do at peak.
    service = await startService({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "error",
      DATABASE_POOL_SIZE: "10",
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      DATABASE_STATEMENT_TIMEOUT_MS: "1000",
    });
    const poll = async () =>
      (await (await post("/api/polls", { question: "Failover?", options: ["yes", "no"] })).json()) as typeof keyedPoll;
    keyedPoll = await poll();
    plainPoll = await poll();
  });
  afterAll(() => {
    service?.child.kill("SIGKILL");
    cluster?.stop();
  });

  /** 20 clients vote from before the fault until a second and a bit after it; each keyed vote is retried until 201. */
  async function trial(fault: () => Promise<void>) {
    const samples: Sample[] = [];
    const acknowledged = { keyed: 0, plain: 0 };
    let plainRefused = 0;
    let stop = false;
    const request = async (pollId: string, optionId: string, key?: string) => {
      const startedAt = performance.now();
      const status = await post(`/api/polls/${pollId}/votes`, { optionId }, key ? { "idempotency-key": key } : {}).then(
        (response) => response.status,
        () => 0, // the connection failed: the process is gone
      );
      samples.push({ startedAt, endedAt: performance.now(), status });
      return status;
    };
    const keyedVoter = async () => {
      while (!stop) {
        const key = randomUUID();
        for (let status = 0; status !== 201; ) {
          status = await request(keyedPoll.id, keyedPoll.options[0]?.id as string, key);
          if (status === 0) return;
          if (status !== 201) await sleep(20);
        }
        acknowledged.keyed++;
      }
    };
    const plainVoter = async () => {
      while (!stop) {
        const status = await request(plainPoll.id, plainPoll.options[1]?.id as string);
        if (status === 0) return;
        if (status === 201) acknowledged.plain++;
        else plainRefused++;
      }
    };
    const voters = Array.from({ length: CLIENTS }, (_, i) => (i % 2 === 0 ? keyedVoter() : plainVoter()));
    await sleep(300);
    const faultStartedAt = performance.now();
    await fault();
    const faultEndedAt = performance.now();
    await sleep(RECOVERY_MS + 300);
    stop = true;
    await Promise.all(voters);
    return { samples, acknowledged, plainRefused, faultStartedAt, faultEndedAt };
  }

  async function trials(name: string, fault: () => Promise<void>) {
    const before = { keyed: await stored(keyedPoll.id), plain: await stored(plainPoll.id) };
    const acknowledged = { keyed: 0, plain: 0 };
    let plainRefused = 0;
    let refusals = 0;
    for (let n = 1; n <= TRIALS; n++) {
      const run = await trial(fault);
      const where = `${name}, trial ${n}:\n${service.logs().slice(-3000)}`;
      expect(service.child.exitCode, where).toBeNull();
      const statuses = new Set(run.samples.map((s) => s.status));
      expect(
        [...statuses].filter((status) => status !== 201 && status !== 503),
        where,
      ).toEqual([]);
      // 503 only during the outage: none answered before it began, none for a request sent a second after it ended.
      const outside = run.samples.filter(
        (s) => s.status === 503 && (s.endedAt < run.faultStartedAt || s.startedAt > run.faultEndedAt + RECOVERY_MS),
      );
      expect(outside, where).toEqual([]);
      const firstServedAfter = run.samples
        .filter((s) => s.status === 201 && s.startedAt >= run.faultEndedAt)
        .reduce((first, s) => Math.min(first, s.endedAt), Number.POSITIVE_INFINITY);
      expect(firstServedAfter - run.faultEndedAt, where).toBeLessThan(RECOVERY_MS);
      acknowledged.keyed += run.acknowledged.keyed;
      acknowledged.plain += run.acknowledged.plain;
      plainRefused += run.plainRefused;
      refusals += run.samples.filter((s) => s.status === 503).length;
    }
    const storedNow = { keyed: (await stored(keyedPoll.id)) - before.keyed, plain: (await stored(plainPoll.id)) - before.plain };
    // A keyed vote is retried until acknowledged and counted once: exactly what was acknowledged is stored.
    expect(storedNow.keyed).toBe(acknowledged.keyed);
    // A plain vote answered 503 may have committed just before its connection ended (the client cannot know; that is
    // what the key is for): every acknowledged one is stored, and nothing beyond the refused ones.
    expect(storedNow.plain).toBeGreaterThanOrEqual(acknowledged.plain);
    expect(storedNow.plain).toBeLessThanOrEqual(acknowledged.plain + plainRefused);
    expect(acknowledged.keyed + acknowledged.plain).toBeGreaterThan(TRIALS * 100);
    return { acknowledged, storedNow, refusals };
  }

  it("stays up when every backend is ended mid-load (pg_terminate_backend), ten times", { timeout: 60_000 }, async () => {
    const admin = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "1" });
    try {
      const outcome = await trials("pg_terminate_backend", async () => {
        for (let round = 0; round < 10; round++) {
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
          );
          await sleep(5);
        }
      });
      console.info("pg_terminate_backend under load", outcome);
    } finally {
      await admin.close();
    }
  });

  it("stays up when PostgreSQL restarts mid-load (pg_ctl restart -m fast), ten times", { timeout: 60_000 }, async () => {
    const outcome = await trials("pg_ctl restart", () => cluster.restartInBackground());
    console.info("pg_ctl restart under load", outcome);
  });
});
