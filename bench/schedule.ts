/**
 * npm run bench:schedule [-- --runs N]
 *
 * The schedule's pure decisions per tick, on random instants over two years
 * in Berlin with its public holidays: the calendar's decision, the plan, and
 * the next change (what a sleep message needs to say "until Mon 07:30").
 * Goal: p99 under 1 ms for a whole tick's worth of decisions. Prints figures;
 * asserts nothing.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type Calendar, decide, nextChange } from "@hands-off-ops/core/schedule/calendar";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { planConvergence } from "@hands-off-ops/core/schedule/plan";
import { stageSettings } from "../stacks/config";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20000" } } });
const runs = Number(values.runs);
const { schedule } = stageSettings("dev", {});
const calendar: Calendar = { ...schedule, closed: closedDays(schedule, 2026, 2) };
const start = Date.parse("2026-01-01T00:00:00Z");
const span = 2 * 365 * 86_400_000;
const observed = { capacity: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 }, database: "available", releaseInProgress: false };
const defaults = { service: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 }, workers: {} };

function measure(name: string, work: (at: Date) => unknown) {
  for (let i = 0; i < 500; i++) work(new Date(start + Math.random() * span)); // JIT warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const at = new Date(start + Math.random() * span);
    const began = performance.now();
    work(at);
    samples.push(performance.now() - began);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 1000;
  console.log(
    `${name.padEnd(44)} p50 ${pick(0.5).toFixed(1).padStart(7)} µs   p99 ${pick(0.99).toFixed(1).padStart(7)} µs   max ${pick(1).toFixed(1).padStart(8)} µs`,
  );
}

console.log(`Schedule decisions, ${runs} random instants in 2026–2027 (Europe/Berlin, Berlin's holidays)\n`);
measure("decide (calendar)", (at) => decide(at, calendar));
measure("decide + plan", (at) => planConvergence(decide(at, calendar).state, observed, null, defaults, at));
measure("decide + plan + next change (a whole tick)", (at) => {
  const decision = decide(at, calendar);
  planConvergence(decision.state, observed, null, defaults, at);
  if (decision.state === "asleep") nextChange(at, calendar);
});
