import type { CanarySettings } from "../settings/schema";
import type { Exchange, HttpPort } from "./ports";
import { fisherExactGreater, formatP, mannWhitneyGreater, percentiles } from "./stats";

type ComparisonSettings = CanarySettings["comparison"];

export interface SideSummary {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ComparisonVerdict {
  passed: boolean;
  green: SideSummary;
  blue: SideSummary;
  errorRateP: number;
  latencyP: number;
  /** Each regression found, in words; empty when green is as good as blue. */
  regressions: string[];
}

/** An exchange counts as an error when there was no answer or the answer was 5xx. */
export const isError = (exchange: Exchange) => exchange.kind === "failure" || exchange.status >= 500;

function summarize(exchanges: readonly Exchange[]): SideSummary {
  const latencies = exchanges.filter((e) => !isError(e)).map((e) => e.latencyMs);
  const errors = exchanges.filter(isError).length;
  const [p50Ms, p95Ms, p99Ms] = percentiles(latencies, [0.5, 0.95, 0.99]) as [number, number, number];
  return { requests: exchanges.length, errors, errorRate: exchanges.length ? errors / exchanges.length : 0, p50Ms, p95Ms, p99Ms };
}

/**
 * Green fails when it is worse than blue both beyond chance (one-sided tests at
 * `alpha`) and beyond the margins that matter to users: Fisher's exact test
 * on error counts with an absolute error-rate margin, Mann-Whitney U on the
 * latencies of successful requests with a margin on p95. Pure.
 */
export function compareVersions(green: readonly Exchange[], blue: readonly Exchange[], settings: ComparisonSettings): ComparisonVerdict {
  const g = summarize(green);
  const b = summarize(blue);
  const errorRateP = fisherExactGreater({ errors: g.errors, total: g.requests }, { errors: b.errors, total: b.requests });
  const latency = mannWhitneyGreater(
    green.filter((e) => !isError(e)).map((e) => e.latencyMs),
    blue.filter((e) => !isError(e)).map((e) => e.latencyMs),
  );
  const regressions: string[] = [];
  const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
  if (errorRateP < settings.alpha && g.errorRate - b.errorRate > settings.maxErrorRateIncrease) {
    regressions.push(
      `error rate ${percent(g.errorRate)} against ${percent(b.errorRate)} (Fisher p ${formatP(errorRateP)}, α = ${settings.alpha}, margin ${percent(settings.maxErrorRateIncrease)})`,
    );
  }
  const p95Limit = b.p95Ms * (1 + settings.maxP95IncreasePercent / 100);
  if (latency.p < settings.alpha && g.p95Ms > p95Limit) {
    regressions.push(
      `p95 latency ${Math.round(g.p95Ms)} ms against ${Math.round(b.p95Ms)} ms (Mann-Whitney p ${formatP(latency.p)}, α = ${settings.alpha}, margin +${settings.maxP95IncreasePercent} %)`,
    );
  }
  if (g.requests > 0 && g.errors === g.requests) regressions.push("the new version answered no request successfully");
  return { passed: regressions.length === 0, green: g, blue: b, errorRateP, latencyP: latency.p, regressions: [...new Set(regressions)] };
}

export interface SampleOptions {
  greenUrl: string;
  blueUrl: string;
  signal: AbortSignal;
}

/**
 * The same bounded sample to both versions, after a warm-up neither counts, interleaved so that both see the
 * same moments (a slow database affects both alike), `concurrency` at a time.
 */
export async function sampleBoth(http: HttpPort, settings: ComparisonSettings, options: SampleOptions) {
  // Not counted: the new tasks' first requests measure their start, not the version.
  await sampleRound(http, settings, options, settings.warmupRequests);
  return sampleRound(http, settings, options, settings.requests);
}

/** `count` requests to each version, pairwise; fewer once `signal` aborts (requests under way still finish). */
export async function sampleRound(
  http: HttpPort,
  settings: ComparisonSettings,
  { greenUrl, blueUrl, signal }: SampleOptions,
  count: number,
) {
  const green: Exchange[] = [];
  const blue: Exchange[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !signal.aborted) {
      next++;
      const request = { method: "GET" as const, body: null, timeoutMs: settings.timeoutMs, headers: settings.headers };
      const [g, b] = await Promise.all([
        http.send({ ...request, url: new URL(settings.path, greenUrl).toString() }),
        http.send({ ...request, url: new URL(settings.path, blueUrl).toString() }),
      ]);
      green.push(g);
      blue.push(b);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  return { green, blue };
}
