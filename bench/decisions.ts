/**
 * npm run bench:decisions [-- --runs N]
 *
 * Every pure decision the Lambdas take per event, alone, with realistic
 * inputs: reading an event into a message and rendering it (notify), the
 * incident and route of a message, the rollback decision, a canary hook's
 * comparison of 200 + 200 samples and its verdict, a canary watch tick, a
 * schedule tick, a release's next step. Goal (issue #10): p99 under 1 ms per
 * event. Prints p50, p99 and max; asserts nothing.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { compareVersions } from "@hands-off-ops/core/canary/comparison";
import type { Exchange } from "@hands-off-ops/core/canary/ports";
import { decideVerdict } from "@hands-off-ops/core/canary/verdict";
import { decideWatch } from "@hands-off-ops/core/canary/watch";
import { decideIncident } from "@hands-off-ops/core/notify/incident";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { renderEmail } from "@hands-off-ops/core/notify/render/email";
import { renderSlack } from "@hands-off-ops/core/notify/render/slack";
import { route } from "@hands-off-ops/core/notify/route";
import { decideRelease, type ReleaseEvent } from "@hands-off-ops/core/release/custom-resource";
import { releaseProgress } from "@hands-off-ops/core/release/progress";
import { cannotBlameARelease, decideRollback } from "@hands-off-ops/core/rollback/decide";
import { decide, nextChange } from "@hands-off-ops/core/schedule/calendar";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { planConvergence } from "@hands-off-ops/core/schedule/plan";
import { stageSettings } from "../stacks/config";
import { EVENT_FIXTURES, loadEvent } from "../tests/fixtures/events";
import { PROD_CONTEXT } from "../tests/unit/notify/context";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5000" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 100) throw new Error(`--runs must be a whole number of at least 100 (got ${values.runs})`);

const prod = stageSettings("prod");
const dev = stageSettings("dev");

function measure(name: string, inputs: readonly (() => unknown)[]) {
  for (let i = 0; i < 500; i++) inputs[i % inputs.length]?.(); // JIT warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const work = inputs[i % inputs.length] as () => unknown;
    const began = performance.now();
    work();
    samples.push(performance.now() - began);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const p99 = pick(0.99);
  console.log(
    `${name.padEnd(50)} p50 ${(pick(0.5) * 1000).toFixed(1).padStart(7)} µs   p99 ${(p99 * 1000).toFixed(1).padStart(7)} µs   max ${(pick(1) * 1000).toFixed(0).padStart(6)} µs   ${p99 < 1 ? "under 1 ms" : "OVER 1 ms"}`,
  );
}

// notify: every sample event, read and rendered both ways, routed and collapsed.
const events = EVENT_FIXTURES.map((name) => loadEvent(name));
measure(
  "notify: normalize + route + Slack + e-mail",
  events.map((event) => () => {
    const normalized = normalize(event, PROD_CONTEXT);
    if (normalized.kind === "ignored") return;
    route(normalized.message, prod.notifications);
    renderSlack(normalized.message);
    renderEmail(normalized.message);
  }),
);
const incident = {
  key: "alarm:prod-hands-off-ops-Alb5xxRate",
  openedAt: "2026-11-23T10:00:00.000Z",
  history: Array.from({ length: 20 }, (_, i) => ({
    state: i % 2 ? "OK" : "ALARM",
    at: new Date(Date.UTC(2026, 10, 23, 10, i)).toISOString(),
  })),
  steps: Array.from({ length: 10 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 10, 23, 10, i * 2)).toISOString(),
    text: "Did nothing",
    eventId: `s-${i}`,
  })),
  lead: null as never,
  message: { channel: "C0123456789", ts: "1700000000.000100" },
  version: 30,
  told: "resolved" as const,
};
measure("notify: incident decision (20 earlier events, 10 steps)", [
  () =>
    decideIncident(
      incident,
      { role: "event", member: "alarm:x", lasting: true, entry: { state: "ALARM", at: "2026-11-23T10:25:00.000Z" }, told: "problem" },
      30,
    ),
]);

// rollback: an alarm during a release, after one, and one it cannot blame.
const policy = {
  ...prod.rollback,
  mode: prod.automationMode,
  bakeWindowMinutes: prod.release.bakeWindowMinutes,
  timeZone: prod.schedule.timeZone,
  releaseAlarms: ["prod-hands-off-ops-Alb5xxRate"],
  workers: [],
};
const now = new Date("2026-11-23T10:20:00Z");
const deployment = (id: string, revision: number, minutesAgo: number) => ({
  deploymentId: id,
  taskDefinitionArn: `arn:aws:ecs:eu-central-1:123456789012:task-definition/web:${revision}`,
  at: new Date(now.getTime() - minutesAgo * 60_000),
  automaticRollback: false,
});
const alarm = (alarmId: string) => ({
  eventId: "e",
  alarmName: `prod-hands-off-ops-${alarmId}`,
  alarmId,
  state: "ALARM" as const,
  reason: "Threshold Crossed",
  at: now,
});
const recent = Array.from({ length: 5 }, (_, i) => ({ badDeploymentId: `d-OLD${i}`, at: new Date(now.getTime() - (i + 2) * 3_600_000) }));
measure("rollback: decide (during, after, unrelated alarm)", [
  () =>
    decideRollback(
      alarm("Alb5xxRate"),
      {
        inProgress: deployment("d-NEW", 42, 3),
        lastSuccess: deployment("d-OLD", 41, 900),
        previousSuccess: null,
        recentRollbacks: recent,
        alarmNow: { state: "ALARM", since: now },
      },
      policy,
      now,
    ),
  () =>
    decideRollback(
      alarm("TargetP99Latency"),
      {
        inProgress: null,
        lastSuccess: deployment("d-NEW", 42, 15),
        previousSuccess: deployment("d-OLD", 41, 900),
        recentRollbacks: recent,
        alarmNow: { state: "ALARM", since: now },
      },
      policy,
      now,
    ),
  () => cannotBlameARelease(alarm("DatabaseFreeStorage"), policy),
]);

// canary hook: the comparison of prod's sample size, then the verdict.
const sample = (count: number, base: number, errorEvery: number): Exchange[] =>
  Array.from({ length: count }, (_, i) =>
    i % errorEvery === 0
      ? { kind: "response", status: 503, body: "", latencyMs: base }
      : { kind: "response", status: 404, body: "", latencyMs: base * (0.8 + ((i * 37) % 41) / 100) },
  );
const green = sample(prod.canary.comparison.requests, 95, 40);
const blue = sample(prod.canary.comparison.requests, 80, 60);
measure(`canary hook: compare ${green.length} + ${blue.length} samples + verdict`, [
  () =>
    decideVerdict("AfterAllowTestTraffic", {
      kind: "checked",
      smoke: null,
      comparison: compareVersions(green, blue, prod.canary.comparison),
    }),
]);
measure("canary watch: one tick's decision", [
  () => decideWatch({ requests: 1200, errors5xx: 30, p95Seconds: 0.31 }, { requests: 11000, errors5xx: 40, p95Seconds: 0.22 }, prod.canary),
  () => decideWatch({ requests: 12, errors5xx: 0, p95Seconds: 0.2 }, { requests: 300, errors5xx: 1, p95Seconds: 0.2 }, prod.canary),
]);

// schedule: a whole tick at instants spread over two years, holidays and daylight-saving changes included.
const calendar = { ...dev.schedule, closed: closedDays(dev.schedule, 2026, 2) };
const instants = Array.from({ length: 1000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + ((i * 7_919_777) % (730 * 86_400_000))));
const observed = { capacity: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 }, database: "available", releaseInProgress: false };
measure(
  "schedule: decide + plan (+ next wake when asleep)",
  instants.map((at) => () => {
    const decision = decide(at, calendar);
    planConvergence(decision.state, observed, null, { service: observed.capacity, workers: {} }, at);
    // As schedule/run.ts does: only a sleeping stage's message says when it wakes.
    if (decision.state === "asleep") nextChange(at, calendar);
  }),
);

// release: the custom resource's decision and a deployment's progress.
const update = JSON.parse(
  readFileSync(new URL("../tests/fixtures/events/cloudformation-custom-resource-update.json", import.meta.url), "utf8"),
) as ReleaseEvent;
const snapshot = {
  deploymentId: "d-NEW",
  status: "InProgress",
  lifecycle: [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
  ].map((name) => ({ name, status: "Succeeded" })),
};
measure("release: decide + progress", [
  () => {
    decideRelease(update, { serving: "arn:aws:ecs:eu-central-1:123456789012:task-definition/web:7" });
    return releaseProgress(snapshot);
  },
]);
