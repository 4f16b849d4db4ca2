/**
 * npm run bench:service [-- --seconds N --runs N --connections N]
 *
 * The service under autocannon on loopback, each figure side by side with a
 * bare node:http server answering the same bytes in the same run. Every server
 * runs in its own process (the service as its container starts it, the bare
 * reference as a ten-line node:http script), so the load generator in this
 * process competes with none of them for its event loop:
 *   - GET /health (goal: at least 0.8x the bare server's throughput),
 *   - GET /api/polls/:id/results on the embedded database (PGlite),
 *   - on a real PostgreSQL (Debian's package, started here): GET results of a poll at 3, 100,000 and 1,000,000
 *     votes in that poll (it should stay flat: results read each option's count, never the votes), POST votes at
 *     1 M stored votes, and the results query itself against counting the poll's votes, as before migration 0003.
 * Each row is run --runs times (bare and service interleaved) and printed as min/median/max; the ratio to bare is
 * taken run by run, after an unrecorded one-second warm-up of each server; beside it each server process's CPU time
 * per request (from /proc), which other load on the machine moves less than req/s. Prints figures; asserts nothing.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import type { Database } from "../service/src/db";
import { migrate } from "../service/src/migrations";
import { pollResults } from "../service/src/polls";
import { startPostgresCluster } from "../tests/helpers/postgres-server";
import { freePort, type RunningService, startService } from "../tests/helpers/processes";
import { connectPostgres } from "../tests/integration/test-databases";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
  },
});
const duration = Number(values.seconds);
const connections = Number(values.connections);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new Error(`--runs must be a whole number of at least 3 (got ${values.runs})`);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  ok: number;
  /** The server process's CPU time (user + system) per answered request, µs: steadier than req/s on a busy machine. */
  cpuUs: number;
}

/** Each server's process, by origin: its CPU time is read from /proc around every load (Linux; NaN elsewhere). */
const serverPids = new Map<string, number>();
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

async function load(url: string, request: { method?: "GET" | "POST"; body?: string } = {}, seconds = duration): Promise<Figures> {
  const pid = serverPids.get(new URL(url).origin);
  const cpuBefore = cpuMsOf(pid);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: request.method ?? "GET",
    body: request.body,
    headers: request.body ? { "content-type": "application/json" } : undefined,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    ok: result["2xx"],
    cpuUs: ((cpuMsOf(pid) - cpuBefore) * 1000) / result.requests.total,
  };
}

/** The bare reference: node:http answering every request with exactly these bytes and headers, in a process of its own. */
const BARE_SERVER = `
const { createServer } = require("node:http");
const body = process.env.BARE_BODY;
const headers = { "content-type": process.env.BARE_CONTENT_TYPE, "content-length": Buffer.byteLength(body) };
createServer((_request, response) => response.writeHead(200, headers).end(body))
  .listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
`;

async function bareServer(body: string, contentType: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", BARE_SERVER], {
    env: { PATH: process.env.PATH, PORT: String(port), BARE_BODY: body, BARE_CONTENT_TYPE: contentType },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await Promise.race([once(child.stdout as NodeJS.ReadableStream, "data"), once(child, "exit")])) as unknown[];
  if (!String(line).includes("listening")) throw new Error("the bare server did not start");
  const url = `http://127.0.0.1:${port}`;
  if (child.pid) serverPids.set(url, child.pid);
  return { url, child };
}

/** `runs` loads of `url`, or of each of `urls` in turn per run (so a row and its reference see the same conditions). */
async function measure<K extends string>(urls: Record<K, string>, request?: { method?: "GET" | "POST"; body?: string }, warmUp = true) {
  const keys = Object.keys(urls) as K[];
  const figures = Object.fromEntries(keys.map((key) => [key, [] as Figures[]])) as Record<K, Figures[]>;
  // An unrecorded second first: a server's first requests run its code before the JIT has compiled it.
  if (warmUp) for (const key of keys) await load(urls[key], request, 1);
  for (let i = 0; i < runs; i++) for (const key of keys) figures[key].push(await load(urls[key], request));
  return figures;
}

async function createPoll(serviceUrl: string, options: string[]): Promise<{ id: string; options: { id: string }[] }> {
  const response = await fetch(`${serviceUrl}/api/polls`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question: "Benchmark?", options }),
  });
  return (await response.json()) as { id: string; options: { id: string }[] };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
/** min/median/max of a list, as "a / b / c". */
function spread(values: number[], digits = 0, unit = ""): string {
  const s = sorted(values);
  const median = s[Math.floor(s.length / 2)] ?? Number.NaN;
  return [s[0], median, s.at(-1)].map((v) => `${(v ?? Number.NaN).toFixed(digits)}${unit}`).join(" / ");
}

function row(label: string, figures: Figures[], reference?: Figures[]) {
  const ratio = reference
    ? `  ${spread(
        figures.map((f, i) => f.rps / (reference[i]?.rps ?? Number.NaN)),
        2,
        "x",
      )} bare`
    : "";
  const cpuRatio = reference
    ? ` (${spread(
        figures.map((f, i) => f.cpuUs / (reference[i]?.cpuUs ?? Number.NaN)),
        2,
        "x",
      )} bare's)`
    : "";
  const non2xx = figures.reduce((sum, f) => sum + f.non2xx, 0);
  const errors = figures.reduce((sum, f) => sum + f.errors, 0);
  const problems = non2xx || errors ? `  (${non2xx} non-2xx, ${errors} errors)` : "";
  console.log(
    `  ${label.padEnd(50)} ${spread(figures.map((f) => f.rps)).padStart(23)} req/s  p50 ${spread(figures.map((f) => f.p50)).padStart(10)} ms  p99 ${spread(figures.map((f) => f.p99)).padStart(12)} ms${ratio}${problems}`,
  );
  console.log(
    `  ${"".padEnd(50)} CPU per request ${spread(
      figures.map((f) => f.cpuUs),
      1,
    ).padStart(18)} µs${cpuRatio}`,
  );
}

const stopAll: (() => void)[] = [];
try {
  console.log(
    `Service benchmark: ${connections} connections, ${duration} s per run, ${runs} runs per row (min / median / max), node ${process.version}, production log level (info)`,
  );
  console.log("Each server in its own process; autocannon in this one. Goal: GET /health at least 0.8x bare.");
  console.log(
    "CPU per request: the server process's user + system time over the requests it answered (PostgreSQL's own not counted); on a busy machine it moves less than req/s.",
  );

  const embedded: RunningService = await startService({ STAGE: "bench", LOG_LEVEL: "info" });
  if (embedded.child.pid) serverPids.set(embedded.url, embedded.child.pid);
  stopAll.push(() => embedded.child.kill("SIGTERM"));
  const health = await fetch(`${embedded.url}/health`);
  const bareHealth = await bareServer(await health.text(), health.headers.get("content-type") ?? "text/plain");
  stopAll.push(() => bareHealth.child.kill("SIGTERM"));
  const healthFigures = await measure({ bare: `${bareHealth.url}/health`, service: `${embedded.url}/health` });
  row("GET /health, bare node:http", healthFigures.bare);
  row("GET /health, service", healthFigures.service, healthFigures.bare);

  const poll = await createPoll(embedded.url, ["a", "b", "c"]);
  const resultsUrl = `${embedded.url}/api/polls/${poll.id}/results`;
  const results = await fetch(resultsUrl);
  const bareResults = await bareServer(await results.text(), results.headers.get("content-type") ?? "application/json");
  stopAll.push(() => bareResults.child.kill("SIGTERM"));
  const resultsFigures = await measure({ bare: bareResults.url, service: resultsUrl });
  row("GET results, bare node:http (same bytes)", resultsFigures.bare);
  row("GET results, service on PGlite", resultsFigures.service, resultsFigures.bare);

  const cluster = await startPostgresCluster();
  stopAll.push(cluster.stop);
  // Seeding a million rows takes longer than the service's statement timeout.
  const db = await connectPostgres(cluster.url, { DATABASE_STATEMENT_TIMEOUT_MS: "60000" });
  await migrate(db);
  const onPostgres = await startService({ STAGE: "bench", LOG_LEVEL: "info", DATABASE_URL: cluster.url });
  if (onPostgres.child.pid) serverPids.set(onPostgres.url, onPostgres.child.pid);
  stopAll.push(() => onPostgres.child.kill("SIGTERM"));
  const pgPoll = await createPoll(onPostgres.url, ["a", "b", "c"]);
  const votesUrl = `${onPostgres.url}/api/polls/${pgPoll.id}/votes`;
  for (const option of pgPoll.options)
    await fetch(votesUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ optionId: option.id }),
    });
  const pgResultsUrl = `${onPostgres.url}/api/polls/${pgPoll.id}/results`;
  row("GET results (3 votes), PostgreSQL, no other votes", (await measure({ service: pgResultsUrl })).service);

  for (const [target, label] of [
    [100_000, "100 k"],
    [1_000_000, "1 M"],
  ] as const) {
    const added = await seedPoll(db, pgPoll, target);
    console.log(`  added ${added.votes.toLocaleString("en")} votes to the measured poll in one statement in ${added.seconds.toFixed(1)} s`);
    row(`GET results (${label} votes in the poll)`, (await measure({ service: pgResultsUrl })).service);
  }
  const voteBody = JSON.stringify({ optionId: pgPoll.options[0]?.id });
  // No warm-up here (the GET rows warmed this service): every vote sent is in the count below.
  const votes = (await measure({ service: votesUrl }, { method: "POST", body: voteBody }, false)).service;
  row("POST votes, 1 M stored votes", votes);
  await sleep(1000); // the votes still in flight at autocannon's deadline land
  const counted = (await db.query<{ n: string }>("SELECT count(*) AS n FROM votes WHERE poll_id = $1", [pgPoll.id])).rows[0]?.n;
  const shown = (await pollResults(db, pgPoll.id))?.total;
  const acknowledged = votes.reduce((sum, f) => sum + f.ok, 0);
  // autocannon stops counting at the deadline with up to one request per connection still in flight.
  console.log(
    `  votes stored for the measured poll: ${counted}; its results say ${shown}; 1,000,000 + the 2xx answers autocannon counted: ${1_000_000 + acknowledged} (+ up to ${connections} per run in flight at its deadline)`,
  );
  await compareResultsQueries(db, pgPoll.id);
  await db.close();
} finally {
  for (const stop of stopAll.reverse()) stop();
}

/** Votes added to `poll` in one statement (spread over its options) until it holds `target`; returns how many and how long. */
async function seedPoll(db: Database, poll: { id: string; options: { id: string }[] }, target: number) {
  const started = performance.now();
  const held = await db.query<{ n: string }>("SELECT count(*) AS n FROM votes WHERE poll_id = $1", [poll.id]);
  const votes = target - Number(held.rows[0]?.n);
  await db.query(
    `INSERT INTO votes (poll_id, option_id)
       SELECT $1, ($2::uuid[])[1 + g % cardinality($2::uuid[])] FROM generate_series(1, $3) g`,
    [poll.id, poll.options.map((option) => option.id), votes],
  );
  await db.query("ANALYZE votes");
  return { votes, seconds: (performance.now() - started) / 1000 };
}

/** The results query before migration 0003 (counting the poll's votes by index) against today's, run directly, 20 times each. */
async function compareResultsQueries(db: Database, pollId: string) {
  const before = `SELECT p.question, o.id AS option_id, o.text, coalesce(c.votes, 0) AS votes
       FROM polls p
       JOIN poll_options o ON o.poll_id = p.id
       LEFT JOIN (SELECT option_id, count(*) AS votes FROM votes WHERE poll_id = $1 GROUP BY option_id) c
         ON c.option_id = o.id
      WHERE p.id = $1
      ORDER BY o.position`;
  const time = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) await run();
    return (performance.now() - started) / 20;
  };
  const old = await time(() => db.query(before, [pollId]));
  const now = await time(() => pollResults(db, pollId));
  console.log(`  results query at 1 M votes in the poll, mean of 20: ${now.toFixed(2)} ms now; ${old.toFixed(1)} ms counting its votes`);
}
