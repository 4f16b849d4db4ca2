import { type Calendar, decide, localLabel, nextChange, transitions, WEEKDAYS, type Weekday } from "@hands-off-ops/core/schedule/calendar";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";

const BERLIN: Calendar = {
  timeZone: "Europe/Berlin",
  workingDays: ["mon", "tue", "wed", "thu", "fri"],
  wakeAt: "07:30",
  sleepAt: "19:00",
  closed: closedDays({ holidays: { country: "DE", region: "BE" }, closedDates: ["2026-12-24"] }, 2026, 2),
};
const NEW_YORK: Calendar = { ...BERLIN, timeZone: "America/New_York", closed: { days: {}, until: "2027-12-31" } };

/**
 * The oracle: the local wall clock read with Intl (the runtime's own IANA
 * data), independently of luxon, which the calendar uses.
 */
function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: String(parts.weekday).toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function expectedState(at: Date, calendar: Calendar): "awake" | "asleep" {
  const clock = wallClock(at, calendar.timeZone);
  const [wakeH, wakeM] = calendar.wakeAt.split(":").map(Number);
  const [sleepH, sleepM] = calendar.sleepAt.split(":").map(Number);
  const working =
    !calendar.closed.days[clock.date] &&
    calendar.workingDays.includes(clock.weekday) &&
    clock.minute >= (wakeH as number) * 60 + (wakeM as number) &&
    clock.minute < (sleepH as number) * 60 + (sleepM as number);
  return working ? "awake" : "asleep";
}

const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata", "UTC"];
const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
const calendars = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    workingDays: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
    times: fc.uniqueArray(clock, { minLength: 2, maxLength: 2, selector: ([h, m]) => h * 60 + m }),
    closedDates: fc.uniqueArray(
      fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z"), noInvalidDate: true }),
      { maxLength: 20 },
    ),
  })
  .map(({ timeZone, workingDays, times, closedDates }): Calendar => {
    const [wake, sleep] = times.map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`).sort();
    return {
      timeZone,
      workingDays,
      wakeAt: wake as string,
      sleepAt: sleep as string,
      closed: { days: Object.fromEntries(closedDates.map((d) => [d.toISOString().slice(0, 10), "closed"])), until: "2027-12-31" },
    };
  });
const instants = fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z"), noInvalidDate: true });

describe("the calendar", () => {
  it("for any instant, zone and settings, is awake exactly in working hours of working, open days (Intl as the oracle)", () => {
    fc.assert(
      fc.property(calendars, instants, (calendar, at) => {
        expect(decide(at, calendar).state).toBe(expectedState(at, calendar));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds the next change: the state holds until then and differs from it on", () => {
    fc.assert(
      fc.property(calendars, instants, (calendar, at) => {
        const next = nextChange(at, calendar);
        if (!next) return;
        const state = decide(at, calendar).state;
        expect(decide(next, calendar).state).not.toBe(state);
        // One minute before the change, still the old state (a change is always on a minute).
        const before = new Date(Math.max(at.getTime(), next.getTime() - 60_000));
        expect(decide(before, calendar).state).toBe(state);
      }),
      { numRuns: 300 },
    );
  });

  it("a keep-awake override wins until it expires, even on a holiday, and is ignored after", () => {
    fc.assert(
      fc.property(calendars, instants, fc.integer({ min: 1, max: 14 * 24 * 60 }), (calendar, at, minutes) => {
        const until = new Date(at.getTime() + minutes * 60_000);
        const keepAwake = { until, reason: "load test" };
        expect(decide(at, calendar, keepAwake)).toMatchObject({ state: "awake", why: expect.stringContaining("kept awake until") });
        const after = new Date(until.getTime() + 1000);
        expect(decide(after, calendar, keepAwake).state).toBe(decide(after, calendar).state);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["Berlin, spring forward (2026-03-29, 02:00 CET → 03:00 CEST)", BERLIN, "2026-03-29", "2026-03-30T05:30:00Z", "2026-03-30T17:00:00Z"],
    ["Berlin, fall back (2026-10-25, 03:00 CEST → 02:00 CET)", BERLIN, "2026-10-25", "2026-10-26T06:30:00Z", "2026-10-26T18:00:00Z"],
    ["New York, spring forward (2026-03-08)", NEW_YORK, "2026-03-08", "2026-03-09T11:30:00Z", "2026-03-09T23:00:00Z"],
    ["New York, fall back (2026-11-01)", NEW_YORK, "2026-11-01", "2026-11-02T12:30:00Z", "2026-11-03T00:00:00Z"],
  ])("%s: the Monday after wakes and sleeps at the same wall-clock time, at the new UTC offset", (_name, calendar, sunday, wake, sleep) => {
    const sundayNoon = new Date(`${sunday}T12:00:00Z`);
    expect(decide(sundayNoon, calendar)).toMatchObject({ state: "asleep", why: "not a working day (Sunday)" });
    expect(nextChange(sundayNoon, calendar)?.toISOString()).toBe(new Date(wake).toISOString());
    expect(nextChange(new Date(wake), calendar)?.toISOString()).toBe(new Date(sleep).toISOString());
    expect(decide(new Date(new Date(wake).getTime() - 1000), calendar).state).toBe("asleep");
  });

  it("a weekend across the fall-back switch lasts an hour longer than 60.5 h, one across spring-forward an hour shorter", () => {
    const weekend = (fridayEvening: string) => {
      const sleep = new Date(fridayEvening);
      expect(decide(sleep, BERLIN).why).toContain("after working hours");
      return ((nextChange(sleep, BERLIN) as Date).getTime() - sleep.getTime()) / 3_600_000;
    };
    expect(weekend("2026-10-23T19:00:00+02:00")).toBe(61.5);
    expect(weekend("2026-03-27T19:00:00+01:00")).toBe(59.5);
    expect(weekend("2026-11-20T19:00:00+01:00")).toBe(60.5);
  });

  it("sleeps through Berlin's public holidays, by their English name, and the settings' closed dates", () => {
    expect(decide(new Date("2026-12-25T10:00:00+01:00"), BERLIN)).toMatchObject({ state: "asleep", why: "public holiday: Christmas Day" });
    // International Women's Day is a holiday in Berlin only; in 2027 it is a Monday.
    expect(decide(new Date("2027-03-08T10:00:00+01:00"), BERLIN).why).toBe("public holiday: International Women's Day");
    expect(decide(new Date("2026-12-24T10:00:00+01:00"), BERLIN).why).toBe("closed (settings: closedDates)");
    expect(decide(new Date("2026-12-23T10:00:00+01:00"), BERLIN).state).toBe("awake");
    // Christmas Eve and the two Christmas days, then the weekend: the next wake is Monday the 28th.
    expect(nextChange(new Date("2026-12-23T19:00:00+01:00"), BERLIN)?.toISOString()).toBe("2026-12-28T06:30:00.000Z");
  });

  it("says when an instant lies beyond the holiday list it was given", () => {
    expect(decide(new Date("2027-12-31T12:00:00Z"), BERLIN).holidaysUnknown).toBe(false);
    expect(decide(new Date("2028-01-03T12:00:00Z"), BERLIN).holidaysUnknown).toBe(true);
  });

  it("lists a week of changes in order, alternating", () => {
    const week = transitions(new Date("2026-11-23T00:00:00Z"), new Date("2026-11-30T00:00:00Z"), BERLIN);
    expect(week.map((change) => `${change.state} ${change.local}`)).toEqual([
      "awake Mon 23 Nov, 07:30 CET (06:30 UTC)",
      "asleep Mon 23 Nov, 19:00 CET (18:00 UTC)",
      "awake Tue 24 Nov, 07:30 CET (06:30 UTC)",
      "asleep Tue 24 Nov, 19:00 CET (18:00 UTC)",
      "awake Wed 25 Nov, 07:30 CET (06:30 UTC)",
      "asleep Wed 25 Nov, 19:00 CET (18:00 UTC)",
      "awake Thu 26 Nov, 07:30 CET (06:30 UTC)",
      "asleep Thu 26 Nov, 19:00 CET (18:00 UTC)",
      "awake Fri 27 Nov, 07:30 CET (06:30 UTC)",
      "asleep Fri 27 Nov, 19:00 CET (18:00 UTC)",
    ]);
  });
});

describe("a working-hours edge inside a daylight-saving gap", () => {
  it("changes when the clock jumps past it (Berlin, 2026-03-29: 02:00 → 03:00)", () => {
    const calendar: Calendar = {
      ...BERLIN,
      workingDays: ["sun"],
      wakeAt: "02:30",
      sleepAt: "04:00",
      closed: { days: {}, until: "2027-12-31" },
    };
    const saturday = new Date("2026-03-28T12:00:00Z");
    // 01:00Z is 02:00 CET, which becomes 03:00 CEST: the first wall-clock time at or after 02:30.
    expect(nextChange(saturday, calendar)?.toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(decide(new Date("2026-03-29T00:59:59Z"), calendar).state).toBe("asleep");
  });
});

describe("local times in messages", () => {
  it("read as luxon formats them, in any zone, at any instant, with UTC beside", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instants, (zone, at) => {
        const local = DateTime.fromJSDate(at, { zone }).toFormat("ccc d LLL, HH:mm ZZZZ", { locale: "en-GB" });
        const utc = DateTime.fromJSDate(at, { zone: "UTC" }).toFormat("HH:mm");
        expect(localLabel(at, zone)).toBe(zone === "UTC" ? local : `${local} (${utc} UTC)`);
      }),
      { numRuns: 500 },
    );
  });

  it("in Berlin with UTC beside; in a UTC stage, UTC alone", () => {
    const at = new Date("2026-11-23T06:30:00Z");
    expect(localLabel(at, "Europe/Berlin")).toBe("Mon 23 Nov, 07:30 CET (06:30 UTC)");
    expect(localLabel(at, "UTC")).toBe("Mon 23 Nov, 06:30 UTC");
  });
});
