import type { CanarySettings } from "../settings/schema";
import { fisherExactGreater, formatP } from "./stats";

/** One target group's load balancer metrics over the trailing window. */
export interface TargetGroupWindow {
  requests: number;
  errors5xx: number;
  /** p95 of TargetResponseTime over the window, in seconds; null without requests. */
  p95Seconds: number | null;
}

export type WatchDecision =
  | { kind: "not-enough-traffic"; reason: string }
  | { kind: "healthy"; reason: string }
  | { kind: "regression"; reasons: string[] };

/**
 * Green (the new version, taking its canary share of real traffic) against
 * blue over the same window: Fisher's exact test on 5xx counts with the
 * error-rate margin, and p95 latency against the margin. The load balancer
 * publishes percentiles, not samples, so latency has a margin but no test.
 * Pure.
 */
export function decideWatch(green: TargetGroupWindow, blue: TargetGroupWindow, settings: CanarySettings): WatchDecision {
  const { minRequests } = settings.watch;
  const { alpha, maxErrorRateIncrease, maxP95IncreasePercent } = settings.comparison;
  if (green.requests < minRequests || blue.requests < minRequests)
    return {
      kind: "not-enough-traffic",
      reason: `${green.requests} requests to the new version and ${blue.requests} to the current one (at least ${minRequests} each)`,
    };

  const rate = (w: TargetGroupWindow) => w.errors5xx / w.requests;
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const reasons: string[] = [];
  const p = fisherExactGreater({ errors: green.errors5xx, total: green.requests }, { errors: blue.errors5xx, total: blue.requests });
  if (p < alpha && rate(green) - rate(blue) > maxErrorRateIncrease)
    reasons.push(
      `5xx rate ${percent(rate(green))} against ${percent(rate(blue))} (Fisher p ${formatP(p)}, α = ${alpha}, margin ${percent(maxErrorRateIncrease)})`,
    );
  if (green.p95Seconds !== null && blue.p95Seconds !== null && green.p95Seconds > blue.p95Seconds * (1 + maxP95IncreasePercent / 100))
    reasons.push(`p95 response time ${ms(green.p95Seconds)} against ${ms(blue.p95Seconds)} (margin +${maxP95IncreasePercent} %)`);
  if (reasons.length) return { kind: "regression", reasons };
  return {
    kind: "healthy",
    reason: `5xx ${percent(rate(green))} against ${percent(rate(blue))}, p95 ${ms(green.p95Seconds)} against ${ms(blue.p95Seconds)}`,
  };
}

const ms = (seconds: number | null) => (seconds === null ? "—" : `${Math.round(seconds * 1000)} ms`);
