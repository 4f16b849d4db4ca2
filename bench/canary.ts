/**
 * npm run bench:canary [-- --runs N]
 *
 * The smoke suite's wall time against the slowest of its checks run alone
 * (goal: at most 1.2×, i.e. the checks really run at once). The checks are the
 * prod stage's, against a local server that answers each path after a fixed
 * delay. Then the canary watch's time from a regression starting to the
 * poll that calls StopDeployment, simulated (bench/canary-watch-sim.ts) with
 * the product's own window and decision, for the load balancer's minutes and
 * for the fast path (the service's per-revision counts in 10-s periods), with
 * the fast path's budget. Prints figures; asserts nothing.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import { runSmokeSuite } from "@hands-off-ops/core/canary/smoke";
import { stageSettings } from "../stacks/config";
import { printFastPathDetection, printWatchDetection } from "./canary-watch-sim";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" }, "watch-runs": { type: "string", default: "400" } } });
const runs = Number(values.runs);
const checks = stageSettings("prod", {}).canary.smoke.map((check) => ({ ...check, latencyBudgetMs: 2000 }));
const DELAYS: Record<string, number> = { "/health": 40, "/ready": 120, "/": 80, api: 250 };

const server = createServer((request, response) => {
  const path = request.url?.startsWith("/api/") ? "api" : (request.url ?? "/");
  setTimeout(() => {
    if (path === "api") response.writeHead(404).end('{"message":"not found"}');
    else if (path === "/health") response.writeHead(200).end("UP");
    else response.writeHead(200).end("<!doctype html><html>");
  }, DELAYS[path] ?? 0);
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const http = fetchHttp();
const options = { baseUrl, retries: 0, minDelayMs: 10, signal: new AbortController().signal };

async function median(task: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
}

await runSmokeSuite(checks, http, options); // warm up connections and the JIT
const alone = [];
for (const check of checks) alone.push({ name: check.name, ms: await median(() => runSmokeSuite([check], http, options)) });
const suite = await median(() => runSmokeSuite(checks, http, options));
const slowest = Math.max(...alone.map((a) => a.ms));
console.log(`Smoke suite (${checks.length} checks, median of ${runs} runs, Node ${process.version})`);
for (const a of alone) console.log(`  ${a.name.padEnd(24)} alone ${a.ms.toFixed(1)} ms`);
console.log(`  whole suite              ${suite.toFixed(1)} ms = ${(suite / slowest).toFixed(2)}× the slowest check (goal ≤ 1.2×)`);
server.close();

printWatchDetection(stageSettings("prod", {}).canary, Number(values["watch-runs"]));
printFastPathDetection(stageSettings("prod", {}).canary, Number(values["watch-runs"]));
