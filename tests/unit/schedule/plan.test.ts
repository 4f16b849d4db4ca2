import { readKeepAwake } from "@hands-off-ops/core/schedule/keep-awake";
import { type Capacity, type Observed, planConvergence, type SleepRecord } from "@hands-off-ops/core/schedule/plan";
import { hourlyCost, money, savedBetween } from "@hands-off-ops/core/schedule/savings";
import { describe, expect, it } from "vitest";

const NOW = new Date("2026-11-23T18:00:00Z");
const DEFAULTS: Capacity = { desiredCount: 1, minCapacity: 1, maxCapacity: 2 };
const STAGE_DEFAULTS = { service: DEFAULTS, workers: {} };
const RUNNING: Capacity = { desiredCount: 3, minCapacity: 2, maxCapacity: 6 };
const ZERO: Capacity = { desiredCount: 0, minCapacity: 0, maxCapacity: 0 };
const observed = (capacity: Capacity, database: string, releaseInProgress = false): Observed => ({ capacity, database, releaseInProgress });
const recorded = (capacity: Capacity, database: "available" | "stopped" = "available"): SleepRecord => ({
  capacity,
  database,
  sleptAt: "2026-11-22T18:00:00.000Z",
});
const kinds = (plan: ReturnType<typeof planConvergence>) => plan.steps.map((step) => step.kind);

describe("planning sleep", () => {
  it.each([
    [
      "an awake stage: record, scale to zero, stop the database",
      observed(RUNNING, "available"),
      null,
      ["record", "scale", "stop-database"],
      null,
    ],
    ["an asleep stage: nothing", observed(ZERO, "stopped"), recorded(RUNNING), [], null],
    ["a database still stopping: nothing more", observed(ZERO, "stopping"), recorded(RUNNING), [], null],
    ["a half-done sleep (tasks at zero, database up): stop it", observed(ZERO, "available"), recorded(RUNNING), ["stop-database"], null],
    ["scaled up by hand at night: back to zero, the record kept", observed(RUNNING, "stopped"), recorded(DEFAULTS), ["scale"], null],
    ["RDS restarted the database (starting): check again in 10 min", observed(ZERO, "starting"), recorded(RUNNING), [], 10],
    ["the database is backing up: check again in 15 min", observed(RUNNING, "backing-up"), null, ["record", "scale"], 15],
  ] as const)("%s", (_name, now, record, steps, recheckIn) => {
    const plan = planConvergence("asleep", now, record, STAGE_DEFAULTS, NOW);
    expect(kinds(plan)).toEqual(steps);
    expect(plan.recheck?.inMinutes ?? null).toBe(recheckIn);
  });

  it("records exactly what runs, and the time", () => {
    const plan = planConvergence("asleep", observed(RUNNING, "available"), null, STAGE_DEFAULTS, NOW);
    expect(plan.steps[0]).toEqual({ kind: "record", record: { capacity: RUNNING, database: "available", sleptAt: NOW.toISOString() } });
    expect(plan.steps[1]).toEqual({ kind: "scale", to: ZERO });
  });

  it("never records zero tasks as the state to wake to: the defaults instead, and says so", () => {
    const plan = planConvergence("asleep", observed(ZERO, "stopped"), null, STAGE_DEFAULTS, NOW);
    expect(plan.steps).toEqual([{ kind: "record", record: { capacity: DEFAULTS, database: "stopped", sleptAt: NOW.toISOString() } }]);
    expect(plan.notes).toEqual(["nothing was running to record: the stage will wake with its default task count"]);
  });

  it("waits for a release to finish instead of failing it", () => {
    const plan = planConvergence("asleep", observed(RUNNING, "available", true), null, STAGE_DEFAULTS, NOW);
    expect(plan.steps).toEqual([]);
    expect(plan.recheck).toEqual({ inMinutes: 15, why: "a release is in progress: sleep waits until it has finished" });
  });
});

describe("planning wake", () => {
  it.each([
    [
      "an asleep stage: start the database, restore, forget",
      observed(ZERO, "stopped"),
      recorded(RUNNING),
      ["start-database", "scale", "forget-record"],
      null,
    ],
    ["an awake stage: nothing", observed(RUNNING, "available"), null, [], null],
    [
      "a database still stopping: restore tasks, keep the record, check in 5 min",
      observed(ZERO, "stopping"),
      recorded(RUNNING),
      ["scale"],
      5,
    ],
    [
      "the second pass after that: start it and forget",
      observed(RUNNING, "stopped"),
      recorded(RUNNING),
      ["start-database", "forget-record"],
      null,
    ],
    ["a database already starting: restore and forget", observed(ZERO, "starting"), recorded(RUNNING), ["scale", "forget-record"], null],
    [
      "a database stopped before the night stays stopped",
      observed(ZERO, "stopped"),
      recorded(RUNNING, "stopped"),
      ["scale", "forget-record"],
      null,
    ],
    ["a missed sleep record (zero tasks, no record): the defaults", observed(ZERO, "available"), null, ["scale"], null],
    ["a database stopped by hand, with no record of a sleep: left alone", observed(RUNNING, "stopped"), null, [], null],
  ] as const)("%s", (_name, now, record, steps, recheckIn) => {
    const plan = planConvergence("awake", now, record, STAGE_DEFAULTS, NOW);
    expect(kinds(plan)).toEqual(steps);
    expect(plan.recheck?.inMinutes ?? null).toBe(recheckIn);
  });

  it("restores exactly the recorded capacity", () => {
    const plan = planConvergence("awake", observed(ZERO, "stopped"), recorded(RUNNING), STAGE_DEFAULTS, NOW);
    expect(plan.steps).toContainEqual({ kind: "scale", to: RUNNING });
  });
});

describe("the synthetic user, with the stage", () => {
  const withCanary = (o: Observed, canary: "running" | "stopped" | "changing"): Observed => ({ ...o, canary });

  it("is paused first when the stage goes to sleep (before it could fail against a stage scaling to zero), and recorded", () => {
    const plan = planConvergence("asleep", withCanary(observed(RUNNING, "available"), "running"), null, STAGE_DEFAULTS, NOW);
    expect(kinds(plan)).toEqual(["record", "stop-canary", "scale", "stop-database"]);
    expect(plan.steps[0]).toMatchObject({ record: { canary: "running" } });
  });

  it("starts again only once the database answers: a recheck waits for it, the record kept until then", () => {
    const asleep = { ...recorded(RUNNING), canary: "running" as const };
    const waking = planConvergence("awake", withCanary(observed(ZERO, "stopped"), "stopped"), asleep, STAGE_DEFAULTS, NOW);
    expect(kinds(waking)).toEqual(["start-database", "scale"]);
    expect(waking.recheck).toEqual({ inMinutes: 5, why: "the synthetic user starts again once the database is available" });
    const up = planConvergence("awake", withCanary(observed(RUNNING, "available"), "stopped"), asleep, STAGE_DEFAULTS, NOW);
    expect(kinds(up)).toEqual(["start-canary", "forget-record"]);
  });

  it("stays as a person left it: stopped before the night, it is not started in the morning", () => {
    const sleep = planConvergence("asleep", withCanary(observed(RUNNING, "available"), "stopped"), null, STAGE_DEFAULTS, NOW);
    expect(kinds(sleep)).not.toContain("stop-canary");
    expect(sleep.steps[0]).toMatchObject({ record: { canary: "stopped" } });
    const wake = planConvergence(
      "awake",
      withCanary(observed(RUNNING, "available"), "stopped"),
      { ...recorded(RUNNING), canary: "stopped" },
      STAGE_DEFAULTS,
      NOW,
    );
    expect(kinds(wake)).not.toContain("start-canary");
  });

  it("is left alone on a stage without one", () => {
    const plan = planConvergence("asleep", observed(RUNNING, "available"), null, STAGE_DEFAULTS, NOW);
    expect(kinds(plan)).toEqual(["record", "scale", "stop-database"]);
    expect(plan.steps[0]).not.toHaveProperty("record.canary");
  });
});

describe("the keep-awake tag", () => {
  it.each([
    ["no tag", {}, null, null],
    ["a future time with offset", { "keep-awake-until": "2026-11-23T22:00:00+01:00" }, "2026-11-23T21:00:00.000Z", null],
    [
      "with a reason",
      { "keep-awake-until": "2026-11-24T02:00:00Z", "keep-awake-reason": " release rehearsal " },
      "2026-11-24T02:00:00.000Z",
      null,
    ],
    ["passed", { "keep-awake-until": "2026-11-23T17:00:00Z" }, null, "ignored the keep-awake-until tag: 2026-11-23T17:00:00Z has passed"],
    [
      "without an offset",
      { "keep-awake-until": "2026-11-23T22:00" },
      null,
      'ignored the keep-awake-until tag: "2026-11-23T22:00" is not a date-time with an offset such as 2026-11-23T22:00:00+01:00',
    ],
    [
      "too far",
      { "keep-awake-until": "2027-01-23T22:00:00Z" },
      null,
      "ignored the keep-awake-until tag: 2027-01-23T22:00:00Z is more than 14 days away",
    ],
  ])("%s", (_name, tags, until, note) => {
    const read = readKeepAwake(tags as Record<string, string>, NOW);
    expect(read.keepAwake?.until.toISOString() ?? null).toBe(until);
    expect(read.note).toBe(note);
  });

  it("carries the trimmed reason", () => {
    expect(readKeepAwake({ "keep-awake-until": "2026-11-24T02:00:00Z", "keep-awake-reason": " rehearsal " }, NOW).keepAwake?.reason).toBe(
      "rehearsal",
    );
  });
});

describe("the money saved", () => {
  const cost = {
    task: { vcpu: 0.25, memoryGb: 0.5 },
    databaseInstances: 1,
    prices: { currency: "USD", fargateVcpuHour: 0.04, fargateGbHour: 0.004, databaseInstanceHour: 0.02 },
  };

  it("counts each task's vCPU and memory hours and the database instance hours", () => {
    // 3 × (0.25 × 0.04 + 0.5 × 0.004) + 0.02 = 3 × 0.012 + 0.02
    expect(hourlyCost(recorded(RUNNING), cost)).toBeCloseTo(0.056, 10);
    expect(hourlyCost(recorded(RUNNING, "stopped"), cost)).toBeCloseTo(0.036, 10);
    expect(hourlyCost(recorded(RUNNING), { ...cost, databaseInstances: 2 })).toBeCloseTo(0.076, 10);
  });

  it("over a night, and never negative", () => {
    const record = recorded(RUNNING);
    expect(savedBetween(record, new Date("2026-11-23T18:00:00Z"), new Date("2026-11-24T06:30:00Z"), cost)).toBeCloseTo(0.7, 10);
    expect(savedBetween(record, new Date("2026-11-24T06:30:00Z"), new Date("2026-11-23T18:00:00Z"), cost)).toBe(0);
    expect(money(0.7, "USD")).toBe("$0.70");
    expect(money(12.345, "EUR")).toBe("€12.35");
  });
});
