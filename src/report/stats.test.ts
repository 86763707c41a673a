import { describe, expect, it } from "vitest";
import {
  aggregateInterval,
  iqm,
  mean,
  median,
  normalise,
  pairwiseWins,
  performanceProfile,
  probabilityOfImprovement,
  regularizedBeta,
  welchTTest,
} from "./stats.js";

// A fixed data set; the expected values were computed independently with SciPy 1.17 / NumPy 2.4:
//   X = [3.1, 7.4, 2.2, 9.9, 5.5, 6.1, 4.8, 8.0, 1.3, 7.7]; Y = [2.5, 6.9, 1.1, 4.4, 3.3, 5.0, 2.2, 7.1, 0.4, 3.9]
//   X2 = [10, 12, 9.5, 14, 11]; Y2 = [9, 13, 8, 10, 10.5]
//   stats.trim_mean(X, 0.25), np.median(X), X.mean()
//   r = stats.ttest_ind(X, Y, equal_var=False); r.statistic, r.pvalue, r.df
//   stats.mannwhitneyu(X, Y).statistic / 100; (that + stats.mannwhitneyu(X2, Y2).statistic / 25) / 2
//   stats.trim_mean(np.concatenate([X, X2]), 0.25)
//   bootstrap (NumPy, 100,000 stratified resamples of X and X2; 20,000 for P(X > Y)):
//     IQM 95% CI [6.056, 8.833], P(X > Y) 95% CI [0.48, 0.89]
const X = [3.1, 7.4, 2.2, 9.9, 5.5, 6.1, 4.8, 8.0, 1.3, 7.7];
const Y = [2.5, 6.9, 1.1, 4.4, 3.3, 5.0, 2.2, 7.1, 0.4, 3.9];
const X2 = [10, 12, 9.5, 14, 11];
const Y2 = [9, 13, 8, 10, 10.5];

describe("statistics of few-seed results", () => {
  it("match SciPy's point estimates to 1e-9", () => {
    expect(iqm(X)).toBeCloseTo(5.766666666666667, 9);
    expect(median(X)).toBeCloseTo(5.8, 9);
    expect(mean(X)).toBeCloseTo(5.6, 9);
    expect(iqm([...X, ...X2])).toBeCloseTo(7.655555555555555, 9);
    expect(pairwiseWins(X, Y)).toBeCloseTo(0.715, 12);
    const t = welchTTest(X, Y);
    expect(t.t).toBeCloseTo(1.7013742654131043, 9);
    expect(t.df).toBeCloseTo(17.268847788156044, 9);
    expect(t.p).toBeCloseTo(0.10680737150152442, 9);
  });

  it("compute the incomplete beta function to 1e-12 (Student's t tail)", () => {
    // scipy.special.betainc(a, b, x) for (2, 3, 0.3), (3, 1, 0.9), (8.63, 0.5, 0.7), (0.5, 8.63, 0.02)
    expect(regularizedBeta(0.5, 1, 1)).toBeCloseTo(0.5, 12);
    expect(regularizedBeta(0.3, 2, 3)).toBeCloseTo(0.34829999999999994, 12);
    expect(regularizedBeta(0.9, 3, 1)).toBeCloseTo(0.7290000000000001, 12);
    expect(regularizedBeta(0.7, 8.63, 0.5)).toBeCloseTo(0.014421439642847126, 12);
    expect(regularizedBeta(0.02, 0.5, 8.63)).toBeCloseTo(0.43945688780358, 12);
  });

  it("give the probability of improvement averaged over tasks, with a stratified bootstrap CI", () => {
    const p = probabilityOfImprovement([X, X2], [Y, Y2], { reps: 20_000, seed: 1 });
    expect(p.point).toBeCloseTo(0.7075, 12);
    // Within the sampling error of NumPy's independent bootstrap.
    expect(Math.abs(p.low - 0.48)).toBeLessThan(0.03);
    expect(Math.abs(p.high - 0.89)).toBeLessThan(0.03);
  });

  it("give an IQM interval within the sampling error of an independent bootstrap, the same for the same seed", () => {
    const a = aggregateInterval([X, X2], iqm, { reps: 20_000, seed: 3 });
    expect(a.point).toBeCloseTo(7.655555555555555, 12);
    expect(Math.abs(a.low - 6.056)).toBeLessThan(0.15);
    expect(Math.abs(a.high - 8.833)).toBeLessThan(0.15);
    expect(aggregateInterval([X, X2], iqm, { reps: 20_000, seed: 3 })).toEqual(a);
    expect(aggregateInterval([X, X2], iqm, { reps: 20_000, seed: 4 })).not.toEqual(a);
  });

  it("profile, normalise and refuse what has no runs", () => {
    expect(performanceProfile([X], [0, 5, 10])).toEqual([1, 0.6, 0]);
    expect(normalise([[0, 5, 10]], [0], [10])).toEqual([[0, 0.5, 1]]);
    expect(() => aggregateInterval([[]], iqm)).toThrow(/at least one run/);
    expect(() => aggregateInterval([[NaN]], iqm)).toThrow(/finite/);
    expect(welchTTest([1], [2]).p).toBeNaN();
    expect(welchTTest([1, 1], [1, 1]).p).toBe(1);
  });
});
