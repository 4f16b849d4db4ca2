import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../service/src/db";
import { migrate } from "../../service/src/migrations";
import { createPoll } from "../../service/src/polls";
import { type RunningService, startService } from "../helpers/processes";
import { connectPostgres, createDatabase } from "./test-databases";

type Poll = { id: string; options: { id: string }[] };

/** Each option's count against its rows in votes, for every option of the database. */
const mismatches = (db: Database) =>
  db
    .query<{ id: string; votes: string; rows: string }>(
      `SELECT o.id, o.votes, (SELECT count(*) FROM votes v WHERE v.option_id = o.id) AS rows
         FROM poll_options o WHERE o.votes <> (SELECT count(*) FROM votes v WHERE v.option_id = o.id)`,
    )
    .then((result) => result.rows);

/** The per-option counts that results read (migration 0003) stay equal to the votes stored, whoever writes them. */
describe("each option's vote count", () => {
  let databaseUrl: string;
  let db: Database;

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject("postgresUrl"), "counts");
    // Votes wait on the migration's lock by design: on a busy machine that may outlast the service's 5 s.
    db = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "4", DATABASE_STATEMENT_TIMEOUT_MS: "30000" });
  });
  afterAll(() => db?.close());

  it("is backfilled from the votes already stored, while other writers keep voting during the migration", async () => {
    expect(await migrate(db, "0002-vote-requests")).toEqual(["0001-polls-options-votes", "0002-vote-requests"]);
    const polls = [await createPoll(db, "Before?", ["a", "b", "c"]), await createPoll(db, "Also?", ["x", "y"])];
    const options = polls.flatMap((poll) => poll.options.map((option) => ({ pollId: poll.id, optionId: option.id })));
    for (const [index, { pollId, optionId }] of options.entries())
      await db.query("INSERT INTO votes (poll_id, option_id) SELECT $1, $2 FROM generate_series(1, $3)", [
        pollId,
        optionId,
        1000 * index + 7,
      ]);
    // The old release's tasks, still voting while the new one migrates (one vote per statement, as castVote does).
    const writers = await connectPostgres(databaseUrl, { DATABASE_POOL_SIZE: "8", DATABASE_STATEMENT_TIMEOUT_MS: "30000" });
    let stop = false;
    let written = 0;
    const writer = async (n: number) => {
      for (let i = n; !stop; i++) {
        const { pollId, optionId } = options[i % options.length] as { pollId: string; optionId: string };
        await writers.query("INSERT INTO votes (poll_id, option_id) VALUES ($1, $2)", [pollId, optionId]);
        written++;
      }
    };
    const running = Array.from({ length: 8 }, (_, n) => writer(n));
    while (written < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await migrate(db)).toEqual(["0003-option-vote-counts"]);
    const writtenByMigration = written;
    while (written < writtenByMigration + 200) await new Promise((resolve) => setTimeout(resolve, 10));
    stop = true;
    await Promise.all(running);
    await writers.close();
    expect(await mismatches(db)).toEqual([]);
    const total = await db.query<{ n: string }>("SELECT sum(votes) AS n FROM poll_options");
    expect(Number(total.rows[0]?.n)).toBe(options.reduce((sum, _, index) => sum + 1000 * index + 7, 0) + written);
  });

  it("follows votes removed or moved to another option, in bulk", async () => {
    const poll = await createPoll(db, "Moved?", ["a", "b"]);
    const [a, b] = poll.options.map((option) => option.id);
    await db.query("INSERT INTO votes (poll_id, option_id) SELECT $1, $2 FROM generate_series(1, 500)", [poll.id, a]);
    await db.query("UPDATE votes SET option_id = $2 WHERE id IN (SELECT id FROM votes WHERE option_id = $1 LIMIT 120)", [a, b]);
    await db.query("DELETE FROM votes WHERE id IN (SELECT id FROM votes WHERE option_id = $1 LIMIT 30)", [b]);
    const counts = await db.query<{ votes: string }>("SELECT votes FROM poll_options WHERE poll_id = $1 ORDER BY position", [poll.id]);
    expect(counts.rows.map((row) => Number(row.votes))).toEqual([380, 90]);
    expect(await mismatches(db)).toEqual([]);
  });

  describe("through the service, under concurrent votes", () => {
    let service: RunningService;
    let poll: Poll;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${service.url}${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json", ...headers },
        signal: AbortSignal.timeout(10_000),
      });

    beforeAll(async () => {
      await migrate(db);
      service = await startService({ DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", DATABASE_POOL_SIZE: "10" });
      poll = (await (await post("/api/polls", { question: "Counted?", options: ["a", "b", "c"] })).json()) as Poll;
    });
    afterAll(() => {
      service?.child.kill("SIGKILL");
    });

    it("counts exactly the votes stored: 20 clients, plain and keyed votes, each key sent three times at once", async () => {
      const counted = new Map<string, number>();
      const statuses: number[] = [];
      const vote = async (optionId: string, key?: string) => {
        const response = await post(`/api/polls/${poll.id}/votes`, { optionId }, key ? { "idempotency-key": key } : {});
        statuses.push(response.status);
        if (response.status === 201 && !response.headers.has("idempotent-replayed"))
          counted.set(optionId, (counted.get(optionId) ?? 0) + 1);
      };
      const client = async (n: number) => {
        for (let i = 0; i < 30; i++) {
          const optionId = poll.options[(n + i) % 3]?.id as string;
          if (i % 3 === 0) await vote(optionId);
          else {
            const key = randomUUID();
            await Promise.all([vote(optionId, key), vote(optionId, key), vote(optionId, key)]);
          }
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, n) => client(n)));
      expect(new Set(statuses)).toEqual(new Set([201]));

      const results = (await (await fetch(`${service.url}/api/polls/${poll.id}/results`)).json()) as {
        results: { optionId: string; votes: number }[];
        total: number;
      };
      const rows = await db.query<{ option_id: string; n: string }>(
        "SELECT option_id, count(*) AS n FROM votes WHERE poll_id = $1 GROUP BY option_id",
        [poll.id],
      );
      const stored = new Map(rows.rows.map((row) => [row.option_id, Number(row.n)]));
      // 20 clients × 30 rounds: 200 plain votes and 400 keys, each counted once.
      expect(results.total).toBe(600);
      for (const { optionId, votes } of results.results) {
        expect(votes).toBe(stored.get(optionId));
        expect(votes).toBe(counted.get(optionId));
      }
    });
  });
});
