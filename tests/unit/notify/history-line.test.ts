import { historyLine, repeats } from "@hands-off-ops/core/notify/render/text";
import { describe, expect, it } from "vitest";

const at = (hour: number, minute: number, month = 9, day = 2) => new Date(Date.UTC(2019, month, day, hour, minute)).toISOString();
const run = (...states: [string, string][]) => states.map(([state, when]) => ({ state, at: when }));

describe("'Repeated' is for a problem that came back, never for one episode", () => {
  it.each([
    ["no events", [], false],
    ["one ALARM", run(["ALARM", at(17, 4)]), false],
    ["an ALARM and its OK", run(["ALARM", at(17, 4)], ["OK", at(17, 10)]), false],
    ["an OK alone (its ALARM lost)", run(["OK", at(17, 10)]), false],
    [
      "an alarm that lost its data and came back to OK",
      run(["ALARM", at(17, 4)], ["INSUFFICIENT_DATA", at(17, 6)], ["OK", at(17, 9)]),
      false,
    ],
    ["a flap: ALARM, OK, ALARM", run(["ALARM", at(17, 4)], ["OK", at(17, 10)], ["ALARM", at(17, 15)]), true],
    [
      "a flap that ended: ALARM, OK, ALARM, OK",
      run(["ALARM", at(17, 4)], ["OK", at(17, 10)], ["ALARM", at(17, 15)], ["OK", at(17, 20)]),
      true,
    ],
    ["ALARM again after its data came back", run(["ALARM", at(17, 4)], ["INSUFFICIENT_DATA", at(17, 6)], ["ALARM", at(17, 9)]), true],
    ["two ALARMs whose OK between was lost", run(["ALARM", at(17, 4)], ["ALARM", at(17, 15)]), true],
    ["one crash", run(["exit 1", at(17, 4)]), false],
    ["tasks crashing again", run(["exit 1", at(17, 4)], ["exit 137", at(17, 6)]), true],
  ])("%s", (_, history, expected) => {
    expect(repeats(history)).toBe(expected);
  });
});

describe("a history line is written in the stage's zone with UTC beside", () => {
  const flap = run(["ALARM", at(17, 4)], ["OK", at(17, 9)], ["ALARM", at(17, 12)]);

  it("in a stage with a zone: local times, then the same in UTC", () => {
    expect(historyLine(flap, "Europe/Berlin")).toBe(
      "ALARM 19:04 → OK 19:09 → ALARM 19:12 (3 events in 8 min, CEST; 17:04 → 17:09 → 17:12 UTC)",
    );
    expect(historyLine(flap, "America/New_York")).toBe(
      "ALARM 13:04 → OK 13:09 → ALARM 13:12 (3 events in 8 min, EDT; 17:04 → 17:09 → 17:12 UTC)",
    );
  });

  it("in a UTC stage: UTC alone", () => {
    expect(historyLine(flap, "UTC")).toBe("ALARM 17:04 → OK 17:09 → ALARM 17:12 (3 events in 8 min, UTC)");
    expect(historyLine(flap)).toBe("ALARM 17:04 → OK 17:09 → ALARM 17:12 (3 events in 8 min, UTC)");
  });

  it("across the end of summer time, each time with its own zone", () => {
    // 27 October 2019, 03:00 CEST became 02:00 CET (01:00 UTC).
    const night = run(["ALARM", at(0, 50, 9, 27)], ["OK", at(1, 5, 9, 27)], ["ALARM", at(1, 20, 9, 27)]);
    expect(historyLine(night, "Europe/Berlin")).toBe(
      "ALARM 02:50 CEST → OK 02:05 CET → ALARM 02:20 CET (3 events in 30 min; 00:50 → 01:05 → 01:20 UTC)",
    );
  });

  it("shows the last six events, marking the earlier ones left out in both", () => {
    const long = Array.from({ length: 8 }, (_, i) => ({ state: i % 2 ? "OK" : "ALARM", at: at(17, i * 5) }));
    expect(historyLine(long, "Europe/Berlin")).toBe(
      "… → ALARM 19:10 → OK 19:15 → ALARM 19:20 → OK 19:25 → ALARM 19:30 → OK 19:35 (8 events in 35 min, CEST; … → 17:10 → 17:15 → 17:20 → 17:25 → 17:30 → 17:35 UTC)",
    );
  });
});
