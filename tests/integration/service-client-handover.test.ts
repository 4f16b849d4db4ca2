import { once } from "node:events";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../service/src/db";
import { migrate } from "../../service/src/migrations";
import { type RunningService, startService } from "../helpers/processes";
import { connectPostgres, createDatabase } from "./test-databases";

/**
 * The cause of "Unhandled 'error' event ... 57P01" under load, reproduced one step at a time. pg-pool hands a freed
 * client to the next waiter from inside the freed query's ReadyForQuery handler, and takes its own error listener off
 * before it resolves the waiter's promise (pg-pool/index.js, _acquireClient). A waiter that is `await pool.connect()`
 * (a keyed vote's transaction) attaches its listener only in a later microtask, but pg-protocol parses every message
 * of one socket read in one synchronous loop (pg-protocol/src/parser.ts, parse). So when PostgreSQL's FATAL 57P01
 * arrives in the same read as the ReadyForQuery before it, the client emits "error" with no listener and Node exits.
 * A busy process reads late and meets exactly that; here a proxy holds the ReadyForQuery until the FATAL comes.
 */
describe("a pg client handed to a waiting transaction as PostgreSQL ends its connection", () => {
  let databaseUrl: string;
  let proxy: CoalescingProxy;
  let service: RunningService;
  let admin: Database;
  let poll: { id: string; options: { id: string }[] };

  const api = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
      signal: AbortSignal.timeout(10_000),
    });

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject("postgresUrl"), "handover");
    admin = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "2" });
    await migrate(admin);
    proxy = await coalescingProxy(new URL(databaseUrl));
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxy.port);
    // One pool client: the keyed vote has to wait for the one the plain vote holds.
    service = await startService({ DATABASE_URL: viaProxy.toString(), LOG_LEVEL: "warn", DATABASE_POOL_SIZE: "1" });
    poll = (await (await api("/api/polls", { question: "Handed over?", options: ["yes", "no"] })).json()) as typeof poll;
  });
  afterAll(async () => {
    service?.child.kill("SIGKILL");
    proxy?.server.close();
    await admin?.close();
  });

  it("does not end the process: the waiting vote gets 503, the next one is served", async () => {
    const optionId = poll.options[0]?.id as string;
    // Hold the option row: the plain vote's foreign-key check (FOR KEY SHARE) waits behind it, keeping the pool's client.
    const release = await holdRow(databaseUrl, poll.id);
    const plain = api(`/api/polls/${poll.id}/votes`, { optionId });
    const backend = await waitFor(async () => {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return rows[0]?.pid;
    });
    const keyed = api(`/api/polls/${poll.id}/votes`, { optionId }, { "idempotency-key": "handover-1" });
    await sleep(200); // the keyed vote is now waiting for the pool's one client
    const held = proxy.holdAfterNextReadyForQuery();
    await release();
    await held; // the plain vote's ReadyForQuery is in the proxy, not yet delivered
    await admin.query("SELECT pg_terminate_backend($1)", [backend]);
    // A failed fetch is the process gone: told by its exit code and logs below.
    const statuses = await Promise.all(
      [plain, keyed].map((response) =>
        response.then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    await sleep(200);
    expect(service.child.exitCode, service.logs()).toBeNull();
    expect(statuses).toEqual([201, 503]);
    expect((await api(`/api/polls/${poll.id}/votes`, { optionId }, { "idempotency-key": "handover-1" })).status).toBe(201);
  });
});

interface CoalescingProxy {
  server: Server;
  port: number;
  /** Resolves once a ReadyForQuery is held; it is delivered together with whatever the server sends next, in one write. */
  holdAfterNextReadyForQuery(): Promise<void>;
}

/** A TCP proxy to PostgreSQL that reads the server's messages (type byte, int32 length) to find a ReadyForQuery ('Z'). */
async function coalescingProxy(target: URL): Promise<CoalescingProxy> {
  let armed: (() => void) | undefined;
  const server = createServer((client: Socket) => {
    const upstream = tcpConnect(Number(target.port), target.hostname);
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    let held: Buffer | undefined;
    upstream.on("data", (chunk: Buffer) => {
      if (held) {
        client.write(Buffer.concat([held, chunk]));
        held = undefined;
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= 5) {
        const length = pending.readInt32BE(offset + 1);
        if (pending.length - offset < 1 + length) break;
        const type = String.fromCharCode(pending[offset] as number);
        offset += 1 + length;
        if (type === "Z" && armed) {
          client.write(pending.subarray(0, offset - 1 - length));
          held = pending.subarray(offset - 1 - length);
          pending = Buffer.alloc(0);
          armed();
          armed = undefined;
          return;
        }
      }
      client.write(pending.subarray(0, offset));
      pending = pending.subarray(offset);
    });
    upstream.on("end", () => {
      if (held) client.write(held);
      client.end();
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no proxy port");
  return {
    server,
    port: address.port,
    holdAfterNextReadyForQuery: () => new Promise((resolve) => (armed = resolve)),
  };
}

/** Locks the poll's options FOR UPDATE on a connection of its own; returns the function that commits. */
async function holdRow(databaseUrl: string, pollId: string): Promise<() => Promise<void>> {
  const locker = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "1" });
  let commit!: () => void;
  const committed = new Promise<void>((resolve) => (commit = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = locker.transaction(async (tx) => {
    await tx.query("SELECT 1 FROM poll_options WHERE poll_id = $1 FOR UPDATE", [pollId]);
    locked();
    await committed;
  });
  await isLocked;
  return async () => {
    commit();
    await done;
    await locker.close();
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error("timed out waiting");
}
