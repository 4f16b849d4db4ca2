/**
 * The canary watch's time from a regression starting to the poll that calls
 * StopDeployment, simulated with the product's own window (newestCompleteWindow)
 * and decision (decideWindow → decideWatch). Each run: a canary taking 10 % of
 * traffic, both versions at 0.1 % 5xx, the new one's rate rising to the given
 * error rate at a moment uniform within a minute; per-minute load balancer
 * figures published `delay` seconds after their minute ends; polls every
 * pollSeconds at a random phase. What the simulation cannot know: AWS's real
 * publication delay, and the StopDeployment call itself (about a second).
 */
import {
  confirmRegression,
  decideWindow,
  FAST_PERIOD_SECONDS,
  fastPeriods,
  lookbackMinutes,
  type MinuteOfTraffic,
  newestCompleteWindow,
} from "@hands-off-ops/core/canary/watch-window";
import type { CanarySettings } from "@hands-off-ops/core/settings/schema";

const BASE_5XX = 0.001;
const CANARY_SHARE = 0.1;
const WARM_MINUTES = 10;
const GIVE_UP_MINUTES = 15;
/** The issue's statistical limit (Fisher test and margins, 95 % power): seconds of traffic at 5 req/s to the canary. */
const LIMIT_SECONDS_AT_5: Record<number, number> = { 0.2: 6, 0.1: 12, 0.05: 25, 0.02: 68 };

export function printWatchDetection(canary: CanarySettings, runs: number) {
  const started = performance.now();
  console.log(
    `\nCanary watch: regression start → the poll that calls StopDeployment, simulated (${runs} runs a row, window ${canary.watch.windowMinutes} min + ${lookbackMinutes(canary.watch) - canary.watch.windowMinutes} min allowance, poll ${canary.watch.pollSeconds} s)`,
  );
  console.log("  anchors: Flagger's defaults ≈ 5 min, a CodeDeploy alarm ≥ 4 min, Argo Rollouts' typical analysis 15–20 min");
  console.log("  canary req/s  5xx   delay   min / median / max          limit (traffic)  missed  false stop");
  const random = mulberry32(33);
  for (const rate of [5, 50])
    for (const errorRate of [0.2, 0.1, 0.05, 0.02])
      for (const delay of [0, 30, 60]) {
        const { at, missed, early } = sampled(runs, () => detectionSeconds(canary, { rate, errorRate, delay }, random));
        const limit = ((LIMIT_SECONDS_AT_5[errorRate] as number) * 5) / rate;
        console.log(
          `  ${String(rate).padStart(6)}      ${`${errorRate * 100} %`.padEnd(5)} ${`${delay} s`.padStart(5)}   ${`${at(0)} / ${at(0.5)} / ${at(1)}`.padEnd(26)} ${`${limit.toFixed(1)} s`.padStart(7)}          ${String(missed).padStart(4)}  ${String(early).padStart(6)}`,
        );
      }
  console.log(
    `  (limit: the issue's figure, traffic the test needs at 95 % power; the load balancer's 60-s periods put a floor under any of these. missed: not stopped within ${GIVE_UP_MINUTES} min; false stop: stopped before the regression. ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/** The service writes its per-revision record every second (service/src/metrics.ts, REVISION_FLUSH_MS). */
const FLUSH_SECONDS = 1;
/**
 * Seconds from a record written to stdout to its metric in GetMetricData's answer: the awslogs driver, CloudWatch
 * Logs and EMF extraction. AWS publishes no figure
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html);
 * measurable only in AWS, so the simulation runs a range of assumed values.
 */
const ASSUMED_EXTRACTION_SECONDS = [2, 5, 10];
/** GetMetricData's own answer time, assumed (also measurable only in AWS); StopDeployment comes after the stopping poll. */
const ASSUMED_CALL_SECONDS = 0.3;

/**
 * The fast path, simulated: both revisions' counts in 10-s periods, each visible `flush + extraction` seconds after
 * it ends, read every pollSeconds at a random phase and judged by the watch's own window (newestCompleteWindow over
 * as many periods as fill windowMinutes) and decision (decideWindow). Same traffic, regressions and seeds as above.
 */
export function printFastPathDetection(canary: CanarySettings, runs: number) {
  const started = performance.now();
  const poll = canary.watch.pollSeconds;
  const { judged, asked } = fastPeriods(canary.watch);
  console.log(
    `\nCanary watch, fast path: the service's per-revision EMF counts (1-s storage resolution) read in ${FAST_PERIOD_SECONDS}-s periods, simulated (${runs} runs a row, window ≤ ${judged} periods, ${asked} asked, poll ${poll} s)`,
  );
  console.log(
    `  budget = traffic needed (limit) + flush ≤ ${FLUSH_SECONDS} s + log delivery and EMF extraction E (AWS publishes no figure; measured only in AWS) + the rest of the ${FAST_PERIOD_SECONDS}-s period ≤ ${FAST_PERIOD_SECONDS} s + one more period to confirm it (${FAST_PERIOD_SECONDS} s) + poll ≤ ${poll} s (${poll / 2} s on average) + GetMetricData ≈ ${ASSUMED_CALL_SECONDS} s (assumed)`,
  );
  console.log("  canary req/s  5xx   E (assumed)  min / median / max          limit     budget  missed  false stop");
  const random = mulberry32(33);
  for (const rate of [5, 50])
    for (const errorRate of [0.2, 0.1, 0.05, 0.02])
      for (const extraction of ASSUMED_EXTRACTION_SECONDS) {
        const { at, missed, early } = sampled(runs, () =>
          fastDetectionSeconds(canary, { rate, errorRate, delay: FLUSH_SECONDS + extraction }, random),
        );
        const limit = ((LIMIT_SECONDS_AT_5[errorRate] as number) * 5) / rate;
        const budget = limit + FLUSH_SECONDS + extraction + 2 * FAST_PERIOD_SECONDS + poll + ASSUMED_CALL_SECONDS;
        console.log(
          `  ${String(rate).padStart(6)}      ${`${errorRate * 100} %`.padEnd(5)} ${`${extraction} s`.padStart(6)}       ${`${at(0)} / ${at(0.5)} / ${at(1)}`.padEnd(26)} ${`${limit.toFixed(1)} s`.padStart(7)}   ${`${budget.toFixed(1)} s`.padStart(8)}    ${String(missed).padStart(4)}  ${String(early).padStart(6)}`,
        );
      }
  console.log(
    `  (budget: the limit (traffic for 95 % power) plus each other part at its worst, ${FLUSH_SECONDS} + E + ${FAST_PERIOD_SECONDS} + ${FAST_PERIOD_SECONDS} + ${poll} + ${ASSUMED_CALL_SECONDS} s; a regression of the service's periods stops the release once a later window confirms it (confirmRegression); the load balancer's path above judges 60-s periods published at an unknown delay; this one needs the service to write the contract in docs/canary.md. E and the call are assumptions until measured in AWS. ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/** Seconds from the regression to the stopping poll of the fast path; negative if stopped before it, undefined if never. */
function fastDetectionSeconds(canary: CanarySettings, scenario: Scenario, random: () => number): number | undefined {
  const P = FAST_PERIOD_SECONDS;
  const regressionAt = WARM_MINUTES * 60 + random() * 60;
  const end = (WARM_MINUTES + GIVE_UP_MINUTES) * 60;
  const periods = Array.from({ length: end / P + 1 }, (_, k) => simulatedMinute(k, regressionAt, scenario, random, P));
  const { judged, asked } = fastPeriods(canary.watch);
  const poll = canary.watch.pollSeconds;
  let seen = "";
  let pending: number | null = null;
  // Polling starts when the ALB path's does, so that false stops count over the same time before the regression.
  for (let t = lookbackMinutes(canary.watch) * 60 + random() * poll; t < end; t += poll) {
    const boundary = Math.floor(t / P);
    // The newest period whose records have all been flushed and extracted by t.
    const published = Math.min(boundary, Math.floor((t - scenario.delay) / P)) - 1;
    const key = `${boundary}:${published}`;
    if (key === seen) continue;
    seen = key;
    const answer: MinuteOfTraffic[] = [];
    for (let k = boundary - asked; k < boundary; k++)
      answer.push(k <= published ? (periods[k] as MinuteOfTraffic) : { start: k * P * 1000 });
    const window = newestCompleteWindow(answer, canary.watch, judged);
    const judgement = confirmRegression(pending, window, decideWindow(window, canary));
    pending = judgement.pending;
    if (judgement.confirmed) return t + ASSUMED_CALL_SECONDS - regressionAt;
  }
  return undefined;
}

interface Scenario {
  rate: number;
  errorRate: number;
  delay: number;
}

/** Seconds from the regression to the stopping poll; negative if stopped before it, undefined if never. */
function detectionSeconds(canary: CanarySettings, scenario: Scenario, random: () => number): number | undefined {
  const regressionAt = WARM_MINUTES * 60 + random() * 60;
  const lastMinute = WARM_MINUTES + GIVE_UP_MINUTES + 1;
  const minutes = Array.from({ length: lastMinute + 1 }, (_, m) => simulatedMinute(m, regressionAt, scenario, random));
  const lookback = lookbackMinutes(canary.watch);
  const poll = canary.watch.pollSeconds;
  let seen = "";
  for (let t = lookback * 60 + random() * poll; t < (WARM_MINUTES + GIVE_UP_MINUTES) * 60; t += poll) {
    // What GetMetricData answers at t: the lookback's whole minutes, each side present once published.
    const boundary = Math.floor(t / 60);
    const published = Math.min(boundary, Math.floor((t - scenario.delay) / 60)) - 1;
    const key = `${boundary}:${published}`;
    if (key === seen) continue; // same answer as the last poll, same decision (it is pure)
    seen = key;
    const answer: MinuteOfTraffic[] = [];
    for (let m = boundary - lookback; m < boundary; m++)
      answer.push(m <= published ? (minutes[m] as MinuteOfTraffic) : { start: m * 60_000 });
    const decision = decideWindow(newestCompleteWindow(answer, canary.watch), canary);
    if (decision.kind === "regression") return t - regressionAt;
  }
  return undefined;
}

function simulatedMinute(
  m: number,
  regressionAt: number,
  { rate, errorRate }: Scenario,
  random: () => number,
  seconds = 60,
): MinuteOfTraffic {
  const regressed = Math.min(seconds, Math.max(0, (m + 1) * seconds - Math.max(m * seconds, regressionAt))) / seconds;
  const green = poisson(rate * seconds, random);
  const blue = poisson(((rate * (1 - CANARY_SHARE)) / CANARY_SHARE) * seconds, random);
  const greenRegressed = binomial(green, regressed, random);
  const greenErrors = binomial(green - greenRegressed, BASE_5XX, random) + binomial(greenRegressed, errorRate, random);
  return {
    start: m * seconds * 1000,
    green: { requests: green, errors5xx: greenErrors, p95Seconds: 0.05 },
    blue: { requests: blue, errors5xx: binomial(blue, BASE_5XX, random), p95Seconds: 0.05 },
  };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Exact by inversion for small means, the normal approximation above (error well under the test's own). */
function poisson(mean: number, random: () => number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  const u = random();
  while (u > cumulative && k < 1000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

function binomial(n: number, p: number, random: () => number): number {
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const mean = n * p;
  const variance = mean * (1 - p);
  if (variance > 25) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(variance) * normal(random))));
  // Inversion over the pmf's recurrence: O(mean) steps.
  let k = 0;
  let pmf = (1 - p) ** n;
  let cumulative = pmf;
  const u = random();
  while (u > cumulative && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    k++;
    cumulative += pmf;
  }
  return k;
}

/** Runs a simulated detection `runs` times: its quantiles ("35 s"), the runs never stopped and those stopped before the regression. */
function sampled(runs: number, detect: () => number | undefined) {
  const times: number[] = [];
  let missed = 0;
  let early = 0;
  for (let run = 0; run < runs; run++) {
    const t = detect();
    if (t === undefined) missed++;
    else if (t < 0) early++;
    else times.push(t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times.length ? `${Math.round(times[Math.floor(q * (times.length - 1))] as number)} s` : "—");
  return { at, missed, early };
}
