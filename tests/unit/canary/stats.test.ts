import { fisherExactGreater, mannWhitneyGreater, percentile, percentiles } from "@hands-off-ops/core/canary/stats";
import fc from "fast-check";
import { wilcoxonRankSum } from "simple-statistics";
import { describe, expect, it } from "vitest";

/**
 * Reference values computed independently (Python 3.11, standard library only):
 * Fisher by exact enumeration of the hypergeometric tail with math.comb;
 * Mann-Whitney by its own average-rank code, the same tie and continuity
 * corrections, and math.erf (= scipy.stats.mannwhitneyu(..., alternative="greater",
 * method="asymptotic")).
 */
describe("Fisher's exact test, one-sided (green has more errors)", () => {
  it.each([
    ["Fisher's tea-tasting table", { errors: 3, total: 4 }, { errors: 1, total: 4 }, 0.24285714285714285],
    ["a canary with 12/200 errors against 2/200", { errors: 12, total: 200 }, { errors: 2, total: 200 }, 0.005738941430019923],
    ["the same single error on both sides", { errors: 1, total: 200 }, { errors: 1, total: 200 }, 0.7506265664160401],
    ["5/100 against none", { errors: 5, total: 100 }, { errors: 0, total: 100 }, 0.029691605234293292],
  ])("%s", (_name, green, blue, expected) => {
    expect(fisherExactGreater(green, blue)).toBeCloseTo(expected, 10);
  });

  it("is 1 when green has no errors or nothing was sent", () => {
    expect(fisherExactGreater({ errors: 0, total: 100 }, { errors: 10, total: 100 })).toBe(1);
    expect(fisherExactGreater({ errors: 0, total: 0 }, { errors: 0, total: 0 })).toBe(1);
  });

  it("is a probability that falls as green's errors grow", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), (greenErrors, blueErrors) => {
        const p = fisherExactGreater({ errors: greenErrors, total: 200 }, { errors: blueErrors, total: 200 });
        const worse = fisherExactGreater({ errors: greenErrors + 1, total: 200 }, { errors: blueErrors, total: 200 });
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(worse).toBeLessThanOrEqual(p + 1e-12);
      }),
    );
  });
});

describe("Mann-Whitney U, one-sided (green slower)", () => {
  it("matches the reference on distinct values", () => {
    const result = mannWhitneyGreater([12, 15, 11, 19, 14, 22, 17, 16, 13, 18], [10, 9, 12, 11, 8, 13, 10, 14, 9, 11]);
    expect(result.u).toBe(91.5);
    expect(result.z).toBeCloseTo(3.1098485836893475, 10);
    expect(result.p).toBeCloseTo(0.0009359163592495001, 10);
  });

  it("matches the reference with many ties", () => {
    const result = mannWhitneyGreater([5, 5, 6, 7, 7, 7, 8], [4, 5, 5, 6, 6, 7, 3]);
    expect(result.u).toBe(37.5);
    expect(result.p).toBeCloseTo(0.050392649153655045, 10);
  });

  it("finds nothing when the two samples are the same, or when green is faster", () => {
    const same = Array.from({ length: 50 }, (_, i) => i % 7);
    expect(mannWhitneyGreater(same, same).p).toBeGreaterThan(0.4);
    expect(mannWhitneyGreater([1, 2, 3, 4, 5], [10, 11, 12, 13, 14]).p).toBeGreaterThan(0.99);
    expect(mannWhitneyGreater([], [1]).p).toBe(1);
    expect(mannWhitneyGreater([3, 3], [3, 3]).p).toBe(1);
  });
});

describe("percentiles", () => {
  it("interpolate linearly between ranks", () => {
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.95)).toBeCloseTo(9.55, 10);
    expect(percentile([4], 0.99)).toBe(4);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe("percentiles", () => {
  it("reads several percentiles from one sort, each the same as alone, without changing the input", () => {
    const values = [120, 3.5, 88, 88, 1000, 42, 7, 64, 300, 15.25];
    const before = [...values];
    const ps = [0, 0.1, 0.5, 0.95, 0.99, 1];
    expect(percentiles(values, ps)).toEqual(ps.map((p) => percentile(values, p)));
    expect(percentiles(values, [0.5, 1])).toEqual([76, 1000]);
    expect(values).toEqual(before);
    expect(percentiles([], [0.5])).toEqual([Number.NaN]);
  });
});

describe("Mann-Whitney's rank sum", () => {
  it("equals simple-statistics' rank sum, ties averaged, for any two samples (U = rank sum − n₁(n₁+1)/2)", () => {
    // Few distinct values make many ties, the case where ranks are easy to get wrong.
    const sample = fc.array(
      fc.integer({ min: 0, max: 12 }).map((v) => v * 2.5),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(sample, sample, (green, blue) => {
        const expected = wilcoxonRankSum([...green], [...blue]) - (green.length * (green.length + 1)) / 2;
        expect(mannWhitneyGreater(green, blue).u).toBeCloseTo(expected, 9);
      }),
      { numRuns: 500 },
    );
  });
});
