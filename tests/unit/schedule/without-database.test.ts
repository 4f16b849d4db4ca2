import { type Capacity, planConvergence } from "@hands-off-ops/core/schedule/plan";
import { converge } from "@hands-off-ops/core/schedule/run";
import { hourlyCost } from "@hands-off-ops/core/schedule/savings";
import { afterEach, describe, expect, it } from "vitest";
import { devEnvironment, rds, resetMocks, simulateAws, stagePorts } from "./helpers";

// A stage whose settings say database.enabled false: the function gets no DATABASE_INSTANCE, and no RDS port.
afterEach(resetMocks);

const NOW = new Date("2026-11-23T18:00:00Z");
const TUESDAY_MORNING = new Date("2026-11-24T06:30:00Z");
const DEFAULTS: Capacity = { desiredCount: 1, minCapacity: 1, maxCapacity: 2 };
const STAGE_DEFAULTS = { service: DEFAULTS, workers: {} };
const RUNNING: Capacity = { desiredCount: 3, minCapacity: 2, maxCapacity: 6 };
const ZERO: Capacity = { desiredCount: 0, minCapacity: 0, maxCapacity: 0 };

describe("the sleep of a stage without a database", () => {
  it("plans the tasks only, and records that there is no database", () => {
    const sleep = planConvergence("asleep", { capacity: RUNNING, database: null, releaseInProgress: false }, null, STAGE_DEFAULTS, NOW);
    expect(sleep.steps).toEqual([
      { kind: "record", record: { capacity: RUNNING, database: "none", sleptAt: NOW.toISOString() } },
      { kind: "scale", to: ZERO },
    ]);
    expect(sleep.recheck).toBeNull();
    const record = { capacity: RUNNING, database: "none", sleptAt: NOW.toISOString() } as const;
    const wake = planConvergence("awake", { capacity: ZERO, database: null, releaseInProgress: false }, record, STAGE_DEFAULTS, NOW);
    expect(wake.steps.map((step) => step.kind)).toEqual(["scale", "forget-record"]);
  });

  it("starts its synthetic user again on wake: there is no database to wait for", () => {
    const record = { capacity: RUNNING, database: "none", sleptAt: NOW.toISOString(), canary: "running" } as const;
    const wake = planConvergence(
      "awake",
      { capacity: ZERO, database: null, releaseInProgress: false, canary: "stopped" },
      record,
      STAGE_DEFAULTS,
      NOW,
    );
    expect(wake.steps.map((step) => step.kind)).toEqual(["scale", "start-canary", "forget-record"]);
  });

  it("counts no database hours in what a night saves", () => {
    const cost = { task: { vcpu: 0.25, memoryGb: 0.5 }, databaseInstances: 0, prices: devEnvironment().config.cost.prices };
    expect(hourlyCost({ capacity: { desiredCount: 0 }, database: "none" }, cost)).toBe(0);
  });

  it("sleeps and wakes through the real adapters, never calling RDS, and says nothing of a database", async () => {
    const aws = simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { ports, notices } = stagePorts();
    const config = { ...devEnvironment().config, databaseName: null, cost: { ...devEnvironment().config.cost, databaseInstances: 0 } };
    const withoutDatabase = { ...ports, database: null };
    await converge({ kind: "sleep" }, config, withoutDatabase, NOW);
    expect(aws).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0 });
    await converge({ kind: "wake" }, config, withoutDatabase, TUESDAY_MORNING);
    expect(aws).toMatchObject({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    expect(rds.calls()).toEqual([]);
    const text = JSON.stringify(notices);
    expect(notices.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/database/i);
  });
});
