/**
 * npm run bench:service [-- --seconds N]
 *
 * The service under autocannon on loopback, each figure side by side with a
 * bare node:http server answering the same bytes in the same run:
 *   - GET /health (goal: at least 0.8x the bare server's throughput),
 *   - GET /api/polls/:id/results on the embedded database (PGlite),
 *   - POST votes on a real PostgreSQL (Debian's package, started here).
 * Prints figures; asserts nothing.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { migrate } from "../service/src/migrations";
import { startPostgresCluster } from "../tests/integration/postgres-server";
import { freePort, type RunningService, startService } from "../tests/integration/processes";
import { connectPostgres } from "../tests/integration/test-databases";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "50" } } });
const duration = Number(values.seconds);
const connections = Number(values.connections);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, request: { method?: "GET" | "POST"; body?: string } = {}): Promise<Figures> {
  const result = await autocannon({
    url,
    connections,
    duration,
    method: request.method ?? "GET",
    body: request.body,
    headers: request.body ? { "content-type": "application/json" } : undefined,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** A node:http server that answers every request with exactly these bytes and headers. */
async function bareServer(body: string, contentType: string) {
  const port = await freePort();
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) }).end(body);
  }).listen(port, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

async function createPoll(serviceUrl: string, options: string[]): Promise<{ id: string; options: { id: string }[] }> {
  const response = await fetch(`${serviceUrl}/api/polls`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question: "Benchmark?", options }),
  });
  return (await response.json()) as { id: string; options: { id: string }[] };
}

function row(label: string, f: Figures, reference?: Figures) {
  const ratio = reference ? `  ${(f.rps / reference.rps).toFixed(2)}x bare` : "";
  const problems = f.non2xx || f.errors ? `  (${f.non2xx} non-2xx, ${f.errors} errors)` : "";
  console.log(
    `  ${label.padEnd(44)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(4)} ms${ratio}${problems}`,
  );
}

const stopAll: (() => void)[] = [];
try {
  console.log(`Service benchmark: ${connections} connections, ${duration} s per run, node ${process.version}, production log level (info)`);

  const embedded: RunningService = await startService({ STAGE: "bench", LOG_LEVEL: "info" });
  stopAll.push(() => embedded.child.kill("SIGTERM"));
  const health = await fetch(`${embedded.url}/health`);
  const bareHealth = await bareServer(await health.text(), health.headers.get("content-type") ?? "text/plain");
  stopAll.push(bareHealth.close);
  const bareHealthFigures = await load(`${bareHealth.url}/health`);
  row("GET /health, bare node:http", bareHealthFigures);
  row("GET /health, service", await load(`${embedded.url}/health`), bareHealthFigures);

  const poll = await createPoll(embedded.url, ["a", "b", "c"]);
  const resultsUrl = `${embedded.url}/api/polls/${poll.id}/results`;
  const results = await fetch(resultsUrl);
  const bareResults = await bareServer(await results.text(), results.headers.get("content-type") ?? "application/json");
  stopAll.push(bareResults.close);
  const bareResultsFigures = await load(bareResults.url);
  row("GET results, bare node:http (same bytes)", bareResultsFigures);
  row("GET results, service on PGlite", await load(resultsUrl), bareResultsFigures);

  const cluster = await startPostgresCluster();
  stopAll.push(cluster.stop);
  const db = await connectPostgres(cluster.url);
  await migrate(db);
  const onPostgres = await startService({ STAGE: "bench", LOG_LEVEL: "info", DATABASE_URL: cluster.url });
  stopAll.push(() => onPostgres.child.kill("SIGTERM"));
  const pgPoll = await createPoll(onPostgres.url, ["a", "b"]);
  const votes = await load(`${onPostgres.url}/api/polls/${pgPoll.id}/votes`, {
    method: "POST",
    body: JSON.stringify({ optionId: pgPoll.options[0]?.id }),
  });
  row("POST votes, service on PostgreSQL", votes);
  const counted = (await db.query<{ n: string }>("SELECT count(*) AS n FROM votes")).rows[0]?.n;
  console.log(`  votes counted in PostgreSQL: ${counted} (one per 2xx answer)`);
  await db.close();
} finally {
  for (const stop of stopAll.reverse()) stop();
}
