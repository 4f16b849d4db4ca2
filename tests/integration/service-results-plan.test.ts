import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../service/src/db";
import { migrate } from "../../service/src/migrations";
import { createPoll, RESULTS_QUERY } from "../../service/src/polls";
import { connectPostgres, createDatabase } from "./test-databases";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** PostgreSQL's own plan for the results query once other polls hold many votes: this poll's votes only, by index. */
describe("results read only the poll's own votes", () => {
  let db: Database;
  beforeAll(async () => {
    db = await connectPostgres(await createDatabase(inject("postgresUrl"), "plan"), { DATABASE_STATEMENT_TIMEOUT_MS: "30000" });
    await migrate(db);
  });
  afterAll(() => db?.close());

  it("reaches votes through the (poll_id, option_id) index, never a scan of the whole table, with 100,000 other votes", async () => {
    const poll = await createPoll(db, "Plan?", ["a", "b"]);
    const other = await createPoll(db, "Other?", ["x", "y"]);
    await db.query("INSERT INTO votes (poll_id, option_id) SELECT $1, $2 FROM generate_series(1, 100000)", [
      other.id,
      other.options[0]?.id,
    ]);
    await db.query("ANALYZE votes");
    const explained = await db.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${RESULTS_QUERY}`, [poll.id]);
    const onVotes = nodes(explained.rows[0]?.["QUERY PLAN"][0]?.Plan as PlanNode).filter((node) => node["Relation Name"] === "votes");
    expect(onVotes.map((node) => node["Node Type"])).not.toContain("Seq Scan");
    expect(onVotes.some((node) => /poll_id = /.test(node["Index Cond"] ?? ""))).toBe(true);
  });
});
