import hypergeometricCdf from "@stdlib/stats-base-dists-hypergeometric-cdf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { quantileSorted, wilcoxonRankSum } from "simple-statistics";

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
  const all = [...green, ...blue];
  // Ties get their average rank.
  const rankSum = wilcoxonRankSum([...green], [...blue]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const ties = tieCorrection(all);
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u, z, p: clampProbability(normalCdf(-z, 0, 1)) };
}

/** Σ (t³ − t) over groups of equal values. */
function tieCorrection(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let sum = 0;
  for (const t of counts.values()) sum += t ** 3 - t;
  return sum;
}

/** Percentile (0–1) by linear interpolation, as CloudWatch and most tools report it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** A p-value as people read it: two significant digits, or "< 0.0001". */
export function formatP(p: number): string {
  return p < 0.0001 ? "< 0.0001" : `= ${p.toPrecision(2)}`;
}
