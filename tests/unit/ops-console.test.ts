import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { describe, expect, it } from "vitest";
import { parseFrom, scheduleDays } from "../../packages/cli/src/ops/schedule";
import { stageSettings } from "../../stacks/config";
import { runCommand } from "../helpers/run-command";

const ops = (...args: string[]) => runCommand("ops", args);

describe("npm run ops -- schedule", () => {
  it("lists the coming days in the stage's local time, with Berlin's Christmas holidays and the weekend", async () => {
    const { code, stdout } = await ops("schedule", "--stage", "dev", "--from", "2026-12-23T00:00:00+01:00", "--days", "6");
    expect(code).toBe(0);
    expect(stdout.split("\n").filter(Boolean)).toEqual([
      "6 days from Wed 23 Dec, 00:00 CET (23:00 UTC) (Europe/Berlin), awake 07:30–19:00 on mon, tue, wed, thu, fri",
      "Wed 23 Dec  wakes 07:30, sleeps 19:00",
      "Thu 24 Dec  wakes 07:30, sleeps 19:00",
      "Fri 25 Dec  asleep all day (public holiday: Christmas Day)",
      "Sat 26 Dec  asleep all day (public holiday: Boxing Day)",
      "Sun 27 Dec  asleep all day (not a working day (Sunday))",
      "Mon 28 Dec  wakes 07:30, sleeps 19:00",
    ]);
  });

  it("follows daylight saving: the same wall-clock times on the Monday after the spring-forward night", async () => {
    const { stdout } = await ops("schedule", "--stage", "dev", "--from", "2026-03-28T12:00:00+01:00", "--days", "3");
    expect(stdout).toContain("Sun 29 Mar  asleep all day (not a working day (Sunday))");
    expect(stdout).toContain("Mon 30 Mar  wakes 07:30, sleeps 19:00");
  });

  it("shows what a keep-awake override would do", async () => {
    const { code, stdout } = await ops(
      "schedule",
      "--stage",
      "pr-42",
      "--from",
      "2026-11-23T12:00:00+01:00",
      "--days",
      "2",
      "--keep-awake-until",
      "2026-11-23T22:30:00+01:00",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("Mon 23 Nov  sleeps 22:30  (kept awake until Mon 23 Nov, 22:30 CET (21:30 UTC))");
    expect(stdout).toContain("Tue 24 Nov  wakes 07:30, sleeps 19:00");
  });

  it("describes a first day that starts in the evening as what it is, for the reason that holds then", () => {
    const dev = stageSettings("dev", {});
    const calendar = { ...dev.schedule, closed: closedDays(dev.schedule, 2026, 2) };
    const lines = scheduleDays(calendar, parseFrom("2026-11-30T20:00:00+01:00", dev.schedule.timeZone), 2, null);
    expect(lines[2]).toMatch(/^Mon 30 Nov {2}asleep from 20:00 to the end of the day \(after working hours/);
    expect(lines[3]).toBe("Tue 1 Dec  wakes 07:30, sleeps 19:00");
  });

  it("reads a date alone as that day from midnight in the stage's zone, not in UTC", () => {
    expect(parseFrom("2026-12-05", "Europe/Berlin").toISOString()).toBe("2026-12-04T23:00:00.000Z");
    expect(parseFrom("2026-12-05T08:00:00Z", "Europe/Berlin").toISOString()).toBe("2026-12-05T08:00:00.000Z");
    expect(() => parseFrom("2026-02-30", "Europe/Berlin")).toThrow(/is not a date/);
  });

  it("says that production never sleeps", async () => {
    const { code, stdout } = await ops("schedule", "--stage", "prod");
    expect(stdout.trim()).toBe("Stage prod never sleeps: a production stage is never scheduled down.");
    expect(code).toBe(0);
  });

  it.each([
    [[], "a command is required"],
    [["replay-all"], 'unknown command "replay-all"'],
    [["schedule"], "--stage is required"],
    [["schedule", "--stage", "Dev"], 'Stage "Dev": the name must be lower-case'],
    [["schedule", "--stage", "dev", "--days", "0"], "--days must be a whole number from 1 to 60"],
    [["schedule", "--stage", "dev", "--from", "tomorrow"], '--from "tomorrow" is not a date (YYYY-MM-DD) or ISO date-time'],
    [["schedule", "--stage", "dev", "--from", "2026-02-30"], '--from "2026-02-30" is not a date (YYYY-MM-DD) or ISO date-time'],
    [
      ["schedule", "--stage", "dev", "--from", "2026-11-23T12:00:00Z", "--keep-awake-until", "2026-11-20T22:00:00Z"],
      "ignored --keep-awake-until: 2026-11-20T22:00:00Z has passed",
    ],
    [["schedule", "--stage", "dev", "--colour"], "Unknown option '--colour'"],
  ])("refuses %j with the reason and exit code 2", async (args, message) => {
    const { code, stderr } = await ops(...args);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });
});
