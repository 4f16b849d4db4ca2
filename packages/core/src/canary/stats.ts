import hypergeometricCdf from "@stdlib/stats-base-dists-hypergeometric-cdf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { quantileSorted } from "simple-statistics";

/**
 * The statistics of the canary analysis: is the new version (green) worse
 * than the current one (blue), beyond chance? One-sided tests: only a
 * regression fails a release.
 */

export interface ErrorCounts {
  errors: number;
  total: number;
}

/**
 * Fisher's exact test, one-sided: the probability of seeing at least green's
 * errors if both versions had the same error rate (hypergeometric tail).
 */
export function fisherExactGreater(green: ErrorCounts, blue: ErrorCounts): number {
  const population = green.total + blue.total;
  const errors = green.errors + blue.errors;
  if (population === 0 || green.errors === 0) return 1;
  // P(green errors ≥ a) = P(green successes ≤ n − a): a lower tail, free of the cancellation in 1 − cdf.
  return clampProbability(hypergeometricCdf(green.total - green.errors, population, population - errors, green.total));
}

export interface MannWhitney {
  u: number;
  z: number;
  /** One-sided: green's values tend to be larger than blue's. */
  p: number;
}

/**
 * Mann-Whitney U test, one-sided (green larger), normal approximation with
 * tie and continuity corrections: good from about 20 values per side, which
 * the comparison always sends.
 */
export function mannWhitneyGreater(green: readonly number[], blue: readonly number[]): MannWhitney {
  const n1 = green.length;
  const n2 = blue.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1 };
  const { rankSum, ties } = rankSumWithTies(green, blue);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u, z, p: clampProbability(normalCdf(-z, 0, 1)) };
}

/**
 * The rank sum of `first` among both samples (ties get their average rank)
 * and Σ (t³ − t) over groups of equal values, in one walk over both samples
 * sorted as typed arrays. simple-statistics' wilcoxonRankSum gives the same
 * rank sum (property-tested) but allocates an object per value: with 200 +
 * 200 samples its garbage took the comparison's p99 over 1 ms (issue #10).
 */
function rankSumWithTies(first: readonly number[], second: readonly number[]): { rankSum: number; ties: number } {
  const a = Float64Array.from(first).sort();
  const b = Float64Array.from(second).sort();
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSum = 0;
  let ties = 0;
  while (i < a.length || j < b.length) {
    const value = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number)) ? (a[i] as number) : (b[j] as number);
    let inFirst = 0;
    let inSecond = 0;
    while (i < a.length && a[i] === value) {
      i++;
      inFirst++;
    }
    while (j < b.length && b[j] === value) {
      j++;
      inSecond++;
    }
    const group = inFirst + inSecond;
    // Ranks rank+1 … rank+group share their mean.
    rankSum += inFirst * (rank + (group + 1) / 2);
    ties += group ** 3 - group;
    rank += group;
  }
  return { rankSum, ties };
}

/** Percentile (0–1) as simple-statistics' quantileSorted reads it (nearest rank; the mean of two at an exact boundary). */
export function percentile(values: readonly number[], p: number): number {
  return percentiles(values, [p])[0] ?? Number.NaN;
}

/** Several percentiles of the same values, sorted once (a typed array sorts numbers without a comparator). */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  if (values.length === 0) return ps.map(() => Number.NaN);
  const sorted = Array.from(Float64Array.from(values).sort());
  return ps.map((p) => quantileSorted(sorted, p));
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** A p-value as people read it: two significant digits, or "< 0.0001". */
export function formatP(p: number): string {
  return p < 0.0001 ? "< 0.0001" : `= ${p.toPrecision(2)}`;
}
