import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { type Capacity, type Defaults, type Observed, planConvergence, type SleepRecord } from "@hands-off-ops/core/schedule/plan";
import { converge } from "@hands-off-ops/core/schedule/run";
import { hourlyCost } from "@hands-off-ops/core/schedule/savings";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER, devEnvironment, ecs, resetMocks, SERVICE, scaling, simulateAws, stagePorts, WORKER, WORKERS } from "./helpers";

// A stage with a worker beside its public service: both sleep and wake with it (WORKERS in the function's environment).
afterEach(resetMocks);

const NOW = new Date("2026-11-23T18:00:00Z");
const TUESDAY_MORNING = new Date("2026-11-24T06:30:00Z");
const ZERO: Capacity = { desiredCount: 0, minCapacity: 0, maxCapacity: 0 };
const RUNNING: Capacity = { desiredCount: 3, minCapacity: 2, maxCapacity: 6 };
const QUEUE: Capacity = { desiredCount: 2, minCapacity: 1, maxCapacity: 4 };
const QUEUE_DEFAULTS: Capacity = { desiredCount: 1, minCapacity: 1, maxCapacity: 3 };
const DEFAULTS: Defaults = { service: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 }, workers: { queue: QUEUE_DEFAULTS } };
const observed = (capacity: Capacity, queue: Capacity, database: string | null = "available"): Observed => ({
  capacity,
  workers: { queue },
  database,
  releaseInProgress: false,
});
const recorded = (workers?: SleepRecord["workers"]): SleepRecord => ({
  capacity: RUNNING,
  ...(workers ? { workers } : {}),
  database: "available",
  sleptAt: "2026-11-22T18:00:00.000Z",
});
const kinds = (plan: ReturnType<typeof planConvergence>) =>
  plan.steps.map((step) => (step.kind === "scale" && step.worker ? `scale ${step.worker}` : step.kind));

describe("planning a stage with a worker", () => {
  it.each([
    [
      "awake: record both, scale both to zero, stop the database",
      "asleep",
      observed(RUNNING, QUEUE),
      null,
      ["record", "scale", "scale queue", "stop-database"],
    ],
    ["asleep: nothing", "asleep", observed(ZERO, ZERO, "stopped"), recorded({ queue: QUEUE }), []],
    [
      "the worker scaled up by hand at night: back to zero, the record kept",
      "asleep",
      observed(ZERO, QUEUE, "stopped"),
      recorded({ queue: QUEUE }),
      ["scale queue"],
    ],
    ["the worker already at zero: only the public service", "asleep", observed(RUNNING, ZERO), null, ["record", "scale", "stop-database"]],
    [
      "asleep, waking: both restored",
      "awake",
      observed(ZERO, ZERO, "stopped"),
      recorded({ queue: QUEUE }),
      ["start-database", "scale", "scale queue", "forget-record"],
    ],
    [
      "a half-done wake (the worker still at zero): the worker",
      "awake",
      observed(RUNNING, ZERO),
      recorded({ queue: QUEUE }),
      ["scale queue", "forget-record"],
    ],
    ["awake: nothing", "awake", observed(RUNNING, QUEUE), null, []],
  ] as const)("%s", (_name, target, now, record, steps) => {
    expect(kinds(planConvergence(target, now, record, DEFAULTS, NOW))).toEqual(steps);
  });

  it("records what each service runs, the worker's by its name", () => {
    const plan = planConvergence("asleep", observed(RUNNING, QUEUE), null, DEFAULTS, NOW);
    expect(plan.steps[0]).toEqual({
      kind: "record",
      record: { capacity: RUNNING, workers: { queue: QUEUE }, database: "available", sleptAt: NOW.toISOString() },
    });
    expect(plan.steps).toContainEqual({ kind: "scale", to: ZERO, worker: "queue" });
  });

  it("never records zero tasks for a worker to wake to: its defaults instead, and says so", () => {
    const plan = planConvergence("asleep", observed(RUNNING, ZERO), null, DEFAULTS, NOW);
    expect(plan.steps[0]).toMatchObject({ record: { workers: { queue: QUEUE_DEFAULTS } } });
    expect(plan.notes).toEqual(["worker queue had nothing running to record: it will wake with its default task count"]);
  });

  it("restores exactly what was recorded of the worker", () => {
    const plan = planConvergence("awake", observed(ZERO, ZERO, "stopped"), recorded({ queue: QUEUE }), DEFAULTS, NOW);
    expect(plan.steps).toContainEqual({ kind: "scale", to: QUEUE, worker: "queue" });
  });

  it("reads a record of before workers slept: the worker wakes with its defaults if it is down, and says so", () => {
    const down = planConvergence("awake", observed(ZERO, ZERO, "stopped"), recorded(), DEFAULTS, NOW);
    expect(down.steps).toContainEqual({ kind: "scale", to: QUEUE_DEFAULTS, worker: "queue" });
    expect(down.notes).toEqual(["worker queue was not recorded at sleep: it wakes with its default task count"]);
    // Not put to sleep by that old schedule, it ran all night: left as it is.
    const running = planConvergence("awake", observed(ZERO, QUEUE, "stopped"), recorded(), DEFAULTS, NOW);
    expect(kinds(running)).toEqual(["start-database", "scale", "forget-record"]);
  });

  it("for any capacities, sleep then wake ends where it began, every service at its own", () => {
    const capacity = fc.integer({ min: 0, max: 4 }).chain((min) =>
      fc.integer({ min: Math.max(min, 1), max: 8 }).chain((max) =>
        fc.record({
          desiredCount: fc.integer({ min: Math.max(min, 1), max }),
          minCapacity: fc.constant(min),
          maxCapacity: fc.constant(max),
        }),
      ),
    );
    fc.assert(
      fc.property(capacity, capacity, (web, queue) => {
        const sleep = planConvergence("asleep", observed(web, queue), null, DEFAULTS, NOW);
        const record = sleep.steps.find((step) => step.kind === "record")?.record ?? null;
        const wake = planConvergence("awake", observed(ZERO, ZERO, "stopped"), record, DEFAULTS, NOW);
        expect(wake.steps).toContainEqual({ kind: "scale", to: web });
        expect(wake.steps).toContainEqual({ kind: "scale", to: queue, worker: "queue" });
      }),
    );
  });
});

describe("the money a worker's night saves", () => {
  const cost = {
    task: { vcpu: 0.25, memoryGb: 0.5 },
    workers: { queue: { vcpu: 0.5, memoryGb: 1 } },
    databaseInstances: 1,
    prices: { currency: "USD", fargateVcpuHour: 0.04, fargateGbHour: 0.004, databaseInstanceHour: 0.02 },
  };

  it("counts each worker's tasks at its own size", () => {
    // 3 × 0.012 (public) + 2 × (0.5 × 0.04 + 1 × 0.004) (queue) + 0.02 (database)
    expect(hourlyCost(recorded({ queue: QUEUE }), cost)).toBeCloseTo(0.036 + 0.048 + 0.02, 10);
    // A record of before workers slept, and a worker removed since (its size unknown): not counted.
    expect(hourlyCost(recorded(), cost)).toBeCloseTo(0.056, 10);
    expect(hourlyCost(recorded({ gone: QUEUE }), cost)).toBeCloseTo(0.056, 10);
  });
});

describe("the schedule function's WORKERS", () => {
  it("gives the plan each worker's defaults, the saving its size and the adapter its ECS service", () => {
    const env = devEnvironment({ WORKERS });
    expect(env.config.defaults.workers).toEqual({ queue: QUEUE_DEFAULTS });
    expect(env.config.cost.workers).toEqual({ queue: { vcpu: 0.5, memoryGb: 1 } });
    expect(env.service).toEqual({ cluster: CLUSTER, service: SERVICE, workers: [WORKER] });
  });

  it("is absent where the stage has no worker: none", () => {
    const env = devEnvironment();
    expect(env.config.defaults.workers).toEqual({});
    expect(env.config.cost).not.toHaveProperty("workers");
    expect(env.service.workers).toEqual([]);
  });

  it.each([
    ["not JSON", "[{", /WORKERS: must be JSON/],
    ["no service", JSON.stringify([{ name: "queue", defaults: QUEUE_DEFAULTS, vcpu: 0.5, memoryGb: 1 }]), /WORKERS\.0\.service/],
    [
      "a negative count",
      JSON.stringify([{ ...WORKER, defaults: { ...QUEUE_DEFAULTS, desiredCount: -1 }, vcpu: 0.5, memoryGb: 1 }]),
      /WORKERS\.0\.defaults\.desiredCount/,
    ],
    ["a field it does not read", JSON.stringify([{ ...WORKER, defaults: QUEUE_DEFAULTS, vcpu: 0.5, memoryGb: 1, port: 80 }]), /WORKERS\.0/],
  ])("refuses %s, naming it", (_name, value, message) => {
    expect(() => devEnvironment({ WORKERS: value })).toThrow(message);
  });
});

describe("a stage with a worker, through the real adapters", () => {
  const config = devEnvironment({ WORKERS }).config;
  const start = { desiredCount: 2, minCapacity: 1, maxCapacity: 4, workers: { [WORKER.service]: { ...QUEUE, desiredCount: 3 } } };

  it("puts both services to sleep and wakes both to what they had; the notices name each", async () => {
    const aws = simulateAws(structuredClone(start));
    const { ports, notices, ledger } = stagePorts([WORKER]);
    await converge({ kind: "sleep" }, config, ports, NOW);
    expect(aws).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, workers: { [WORKER.service]: ZERO } });
    expect(ledger.record_).toMatchObject({
      capacity: { desiredCount: 2 },
      workers: { queue: { desiredCount: 3, minCapacity: 1, maxCapacity: 4 } },
    });
    expect(notices[0]).toMatchObject({
      title: "dev is asleep until Tue 24 Nov, 07:30 CET (06:30 UTC)",
      actionsTaken: [
        "Scaled the public service to 0 tasks (auto scaling 0–0).",
        "Scaled worker queue to 0 tasks (auto scaling 0–0).",
        "Stopped the database.",
      ],
    });
    expect(notices[0]?.summary).toMatch(
      /^After working hours \(07:30–19:00 Europe\/Berlin\): the public service and worker queue are scaled to zero and the database stopped\./,
    );
    expect(notices[0]?.facts).toContainEqual({
      label: "Recorded",
      value:
        "public service 2 tasks (auto scaling 1–4), worker queue 3 tasks (auto scaling 1–4), database dev-hands-off-ops-postgres available",
    });

    await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    expect(aws).toMatchObject({ desiredCount: 2, minCapacity: 1, maxCapacity: 4, workers: start.workers });
    expect(ledger.record_).toBeNull();
    expect(notices[1]).toMatchObject({
      title: "dev is awake",
      actionsTaken: [
        "Started the database.",
        "Restored the public service: 2 tasks (auto scaling 1–4).",
        "Restored worker queue: 3 tasks (auto scaling 1–4).",
      ],
    });
    expect(notices[1]?.summary).toMatch(/: database started and tasks of the public service and worker queue restored; /);
  });

  it("saves the worker's night too: more than the stage without it", async () => {
    simulateAws(structuredClone(start));
    const { ports, ledger } = stagePorts([WORKER]);
    await converge({ kind: "sleep" }, config, ports, NOW);
    await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    const withWorker = ledger.nightsSlept[0]?.saved ?? 0;
    resetMocks();
    simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const alone = stagePorts();
    await converge({ kind: "sleep" }, devEnvironment().config, alone.ports, NOW);
    await converge({ kind: "wake" }, devEnvironment().config, alone.ports, TUESDAY_MORNING);
    // 3 tasks × (0.5 vCPU × $0.03725 + 1 GB × $0.00409) × 12.5 h
    expect(withWorker - (alone.ledger.nightsSlept[0]?.saved ?? 0)).toBeCloseTo(3 * (0.5 * 0.03725 + 0.00409) * 12.5, 6);
  });

  it("calls the APIs with the worker's own names, its limits first, then its desired count; tags of the public service only", async () => {
    simulateAws(structuredClone(start));
    const { ports } = stagePorts([WORKER]);
    await converge({ kind: "sleep" }, config, ports, NOW);
    expect(ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: CLUSTER, services: [SERVICE], include: ["TAGS"] },
      { cluster: CLUSTER, services: [WORKER.service] },
    ]);
    const registers = scaling.commandCalls(RegisterScalableTargetCommand).map((call) => call.args[0].input.ResourceId);
    expect(registers).toEqual([`service/${CLUSTER}/${SERVICE}`, `service/${CLUSTER}/${WORKER.service}`]);
    const updates = ecs.commandCalls(UpdateServiceCommand);
    expect(updates.map((call) => call.args[0].input)).toEqual([
      { cluster: CLUSTER, service: SERVICE, desiredCount: 0 },
      { cluster: CLUSTER, service: WORKER.service, desiredCount: 0 },
    ]);
    const workerRegister = scaling.commandCalls(RegisterScalableTargetCommand)[1];
    expect(updates[1] && workerRegister?.calledBefore(updates[1])).toBe(true);
  });

  it("fails, naming it, when ECS does not know a worker's service: nothing is put to sleep half-way", async () => {
    simulateAws({ desiredCount: 2 });
    const { ports } = stagePorts([WORKER]);
    await expect(converge({ kind: "sleep" }, config, ports, NOW)).rejects.toThrow(`ECS does not know service ${WORKER.service}`);
    expect(ecs.commandCalls(UpdateServiceCommand)).toEqual([]);
  });

  it("in dry-run says what it would have done with each", async () => {
    simulateAws(structuredClone(start));
    const { ports, notices } = stagePorts([WORKER]);
    await converge({ kind: "sleep" }, devEnvironment({ WORKERS, AUTOMATION_MODE: "dry-run" }).config, ports, NOW);
    expect(notices[0]?.summary).toMatch(
      /would have scaled the public service and worker queue to zero and stopped the database; nothing was changed/,
    );
    expect(ecs.commandCalls(UpdateServiceCommand)).toEqual([]);
  });
});
