import type { CanarySettings } from "../settings/schema";
import { decideWatch, type TargetGroupWindow, type WatchDecision } from "./watch";

/**
 * The load balancer publishes each one-minute period some time after it ends
 * (AWS does not state how long; it is not measurable offline). Asking for
 * exactly the last whole minute leaves the watch blind until that minute is
 * published, and forever if publication takes a minute or more. So the watch
 * asks for a few more minutes than it judges and judges the newest ones that
 * have arrived: publication delays up to this many minutes cost detection
 * time, not sight.
 */
export const PUBLICATION_ALLOWANCE_MINUTES = 3;

/** How many whole minutes, ending at the last full minute, the watch asks CloudWatch for. */
export function lookbackMinutes(watch: CanarySettings["watch"]): number {
  return watch.windowMinutes + PUBLICATION_ALLOWANCE_MINUTES;
}

/** One minute of both target groups as CloudWatch answers it; a side is absent while its RequestCount is not published. */
export interface MinuteOfTraffic {
  /** Start of the one-minute period, epoch ms. */
  start: number;
  green?: TargetGroupWindow;
  blue?: TargetGroupWindow;
}

export interface JudgedWindow {
  green: TargetGroupWindow;
  blue: TargetGroupWindow;
  /** Starts (epoch ms) of the minutes summed, newest first; empty while no minute of both groups is published. */
  minutes: number[];
}

/**
 * The newest complete data: minutes with both target groups' RequestCount
 * (a minute with one side only is still arriving, or that side was idle),
 * newest first, summed until both sides have the decision's minimum of
 * requests or `windowMinutes` minutes are summed. Older minutes are added
 * only when the newest lack traffic, since every healthy minute added
 * dilutes a regression that has just begun. Pure.
 */
export function newestCompleteWindow(
  minutes: readonly MinuteOfTraffic[],
  watch: CanarySettings["watch"],
  /** At most this many periods summed: the window's minutes, or (the service's 10-s periods) as many as fill it. */
  maxPeriods: number = watch.windowMinutes,
): JudgedWindow {
  const complete = minutes
    .filter((m): m is Required<MinuteOfTraffic> => m.green !== undefined && m.blue !== undefined)
    .sort((a, b) => b.start - a.start);
  const taken: Required<MinuteOfTraffic>[] = [];
  for (const minute of complete) {
    if (taken.length === maxPeriods) break;
    taken.push(minute);
    if (enough(taken, watch.minRequests)) break;
  }
  return {
    green: sum(taken.map((m) => m.green)),
    blue: sum(taken.map((m) => m.blue)),
    minutes: taken.map((m) => m.start),
  };
}

function enough(taken: Required<MinuteOfTraffic>[], minRequests: number): boolean {
  const requests = (side: "green" | "blue") => taken.reduce((total, m) => total + m[side].requests, 0);
  return requests("green") >= minRequests && requests("blue") >= minRequests;
}

/**
 * Counts add up; percentiles do not. Over several minutes p95 is the minutes'
 * p95s weighted by their requests: an approximation, which the latency margin
 * absorbs (the load balancer publishes no samples to do better).
 */
function sum(windows: TargetGroupWindow[]): TargetGroupWindow {
  const requests = windows.reduce((total, w) => total + w.requests, 0);
  const errors5xx = windows.reduce((total, w) => total + w.errors5xx, 0);
  const timed = windows.filter((w) => w.p95Seconds !== null && w.requests > 0);
  const timedRequests = timed.reduce((total, w) => total + w.requests, 0);
  const p95Seconds =
    timedRequests > 0 ? timed.reduce((total, w) => total + (w.p95Seconds as number) * w.requests, 0) / timedRequests : null;
  return { requests, errors5xx, p95Seconds };
}

/** The watch's decision on what it read: no minute published yet is no verdict yet, never "healthy". Pure. */
export function decideWindow(window: Omit<JudgedWindow, "minutes"> & { minutes?: number[] }, settings: CanarySettings): WatchDecision {
  if (window.minutes?.length === 0)
    return {
      kind: "not-enough-traffic",
      reason: `no minute of both target groups published yet in the last ${lookbackMinutes(settings.watch)} whole minutes`,
    };
  return decideWatch(window.green, window.blue, settings);
}

/** Where the service writes its per-revision counts (service/src/metrics.ts; the contract: docs/canary.md). */
export const SERVICE_NAMESPACE = "HandsOffOps/Service";

/** GetMetricData accepts 1, 5, 10 or 30 s (or a multiple of 60) for metrics stored at 1-s resolution. */
export const FAST_PERIOD_SECONDS = 10;

/** Periods asked for beyond the judged window, for records still on their way through CloudWatch Logs. */
export const DELIVERY_ALLOWANCE_PERIODS = 6;

/** How many 10-s periods fill the judged window (as long as the load balancer's), and how many are asked for. */
export function fastPeriods(watch: CanarySettings["watch"]) {
  const judged = (watch.windowMinutes * 60) / FAST_PERIOD_SECONDS;
  return { judged, asked: judged + DELIVERY_ALLOWANCE_PERIODS };
}

/**
 * The fast path judges a new window every 10-s period, each overlapping the last: tens of tests an hour on a healthy
 * canary, so a chance cluster of errors would stop a good release now and then (bench:canary counts them). A
 * regression the service's own periods show stops the release only when a later window, with a newer period in it,
 * shows it again within CONFIRM_WITHIN_PERIODS periods. `pending` is the newest period (its start, epoch ms) of the
 * first window that regressed, not yet confirmed.
 */
export const CONFIRM_WITHIN_PERIODS = 3;

export function confirmRegression(
  pending: number | null,
  window: Pick<JudgedWindow, "minutes">,
  decision: WatchDecision,
): { confirmed: boolean; pending: number | null } {
  const newest = window.minutes[0] ?? null;
  const expired = pending !== null && newest !== null && newest - pending > CONFIRM_WITHIN_PERIODS * FAST_PERIOD_SECONDS * 1000;
  const open = expired ? null : pending;
  if (decision.kind !== "regression") return { confirmed: false, pending: open };
  if (open !== null && newest !== null && newest > open) return { confirmed: true, pending: null };
  return { confirmed: false, pending: open ?? newest };
}
