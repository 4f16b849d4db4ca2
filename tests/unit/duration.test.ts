import { humanDuration } from "@hands-off-ops/core/text/duration";
import { describe, expect, it } from "vitest";

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const day = 24 * h;

describe("durations as on-call reads them", () => {
  it.each([
    [0, "0 s"],
    [45 * s, "45 s"],
    [12 * min, "12 min"],
    [59 * min + 40 * s, "1 h"],
    [2 * h, "2 h"],
    [2 * h + 5 * min, "2 h 5 min"],
    [1 * day + 3 * h, "1 day 3 h"],
    [3 * day, "3 days"],
    [62 * day + 5 * h, "62 days"],
    // The fixture's 2019 release seen from 2026: what used to read "3751808 min".
    [3_751_808 * min, "2605 days"],
    [-12 * min, "12 min"],
  ])("%d ms is %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
