/**
 * npm run bench:notify [-- --runs N]
 *
 * What the notifier spends on its own per event, without any network:
 * reading the event into a message, rendering it for Slack and e-mail, and a
 * whole delivery through in-memory ports (routing, the incident record, threads). Each
 * fixture of tests/fixtures/events, many times; prints p50 and p99 per step.
 * Asserts nothing.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { deliver } from "@hands-off-ops/core/notify/deliver";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { renderEmail } from "@hands-off-ops/core/notify/render/email";
import { renderSlack } from "@hands-off-ops/core/notify/render/slack";
import { stageSettings } from "../stacks/config";
import { EVENT_FIXTURES, loadEvent } from "../tests/fixtures/events";
import { PROD_CONTEXT } from "../tests/unit/notify/context";
import { fakePorts } from "../tests/unit/notify/fakes";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20000" } } });
const runs = Number(values.runs);
const settings = stageSettings("prod", {}).notifications;
const events = EVENT_FIXTURES.map((name) => loadEvent(name));

function percentiles(samples: number[]) {
  const sorted = samples.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${(at(0.5) * 1000).toFixed(1)} µs   p99 ${(at(0.99) * 1000).toFixed(1)} µs`;
}

async function measure(label: string, step: (event: unknown, i: number) => unknown) {
  for (let i = 0; i < 2000; i++) await step(events[i % events.length], i); // warm up the JIT
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const event = events[i % events.length];
    const started = performance.now();
    await step(event, i);
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(38)} ${percentiles(samples)}`);
}

const messageOf = (event: unknown) => {
  const normalized = normalize(event, PROD_CONTEXT);
  return normalized.kind === "message" ? normalized.message : null;
};

console.log(`Notifier, per event (${runs} events over ${events.length} fixtures, Node ${process.version})`);
await measure("normalize", (event) => normalize(event, PROD_CONTEXT));
await measure("normalize + Slack + e-mail rendering", (event) => {
  const message = messageOf(event);
  if (message) {
    renderSlack(message);
    renderEmail(message);
  }
});
const ports = fakePorts();
await measure("whole delivery, in-memory ports", async (event, i) => {
  const message = messageOf(event);
  if (message) await deliver({ ...message, source: { ...message.source, eventId: `bench-${i}` } }, ports, settings);
});
