import { humanDuration } from "@hands-off-ops/core/text/duration";
import { clockOf, formatClock, formatTime } from "@hands-off-ops/core/text/time";
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

describe("times as on-call reads them", () => {
  it.each([
    ["2026-11-30T02:05:09Z", "Europe/Berlin", "2026-11-30 03:05:09 CET (02:05:09 UTC)"],
    ["2019-10-02T17:04:40.000+0000", "Europe/Berlin", "2019-10-02 19:04:40 CEST (17:04:40 UTC)"],
    ["2026-11-30T02:05:09Z", "America/New_York", "2026-11-29 21:05:09 EST (02:05:09 UTC)"],
    ["2026-11-30T02:05:09Z", "UTC", "2026-11-30 02:05:09 UTC"],
    ["not a time", "Europe/Berlin", "not a time"],
  ])("%s in %s is %s", (value, zone, text) => {
    expect(formatTime(value, zone)).toBe(text);
  });
});

describe("times of day in lines that already have their date", () => {
  it.each([
    ["2026-11-30T02:05:09Z", "Europe/Berlin", { date: "2026-11-30", local: "03:05", zone: "CET", utc: "02:05" }],
    ["2019-10-02T17:04:40.989+0000", "Europe/Berlin", { date: "2019-10-02", local: "19:04", zone: "CEST", utc: "17:04" }],
    // The day is the stage's: still the 29th in New York.
    ["2026-11-30T02:05:09Z", "America/New_York", { date: "2026-11-29", local: "21:05", zone: "EST", utc: "02:05" }],
    ["2026-11-30T02:05:09Z", "Asia/Kolkata", { date: "2026-11-30", local: "07:35", zone: "GMT+5:30", utc: "02:05" }],
    ["2026-11-30T02:05:09Z", "UTC", { date: "2026-11-30", local: "02:05", zone: "UTC", utc: "02:05" }],
  ])("%s in %s", (value, zone, clock) => {
    expect(clockOf(value, zone)).toEqual(clock);
  });

  it("is null for what is no time", () => {
    expect(clockOf("not a time", "Europe/Berlin")).toBeNull();
  });
});

describe("times of day in short answers (a button's refusal, a keep-awake)", () => {
  const today = new Date("2026-11-24T16:30:00Z");

  it.each([
    ["2026-11-24T16:05:00Z", "Europe/Berlin", "17:05 CET (16:05 UTC)"],
    ["2026-11-24T16:05:00Z", "UTC", "16:05 UTC"],
    // Another day in the stage's zone leads with its date.
    ["2026-11-23T16:05:00Z", "Europe/Berlin", "2026-11-23 17:05 CET (16:05 UTC)"],
    ["2026-11-23T16:05:00Z", "UTC", "2026-11-23 16:05 UTC"],
    // 23:30 UTC on the 24th is already the 25th in Berlin.
    ["2026-11-24T23:30:00Z", "Europe/Berlin", "2026-11-25 00:30 CET (23:30 UTC)"],
    ["2026-11-24T23:30:00Z", "UTC", "23:30 UTC"],
    ["not a time", "Europe/Berlin", "not a time"],
  ])("%s in %s is %s", (value, zone, text) => {
    expect(formatClock(value, zone, today)).toBe(text);
  });

  it("leaves the date out when no day is given to compare with", () => {
    expect(formatClock("2019-10-02T17:04:40.989+0000", "Europe/Berlin")).toBe("19:04 CEST (17:04 UTC)");
  });
});
