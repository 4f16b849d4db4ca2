import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { converge } from "@hands-off-ops/core/schedule/run";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER, DB, devEnvironment, ecs, rds, resetMocks, SERVICE, scaling, simulateAws, stagePorts } from "./helpers";

afterEach(resetMocks);

// Monday 23 November 2026 in Berlin (CET, UTC+1): sleep at 19:00, wake on Tuesday at 07:30.
const MONDAY_EVENING = new Date("2026-11-23T18:00:00Z");
const TUESDAY_MORNING = new Date("2026-11-24T06:30:00Z");
const { config } = devEnvironment();

describe("sleep, then wake", () => {
  it("restores exactly the recorded state, whatever it was, however often each tick is delivered", async () => {
    const initial = fc.integer({ min: 0, max: 5 }).chain((min) =>
      fc.integer({ min: Math.max(min, 1), max: 10 }).chain((max) =>
        fc.record({
          minCapacity: fc.constant(min),
          maxCapacity: fc.constant(max),
          desiredCount: fc.integer({ min: Math.max(min, 1), max }),
          database: fc.constantFrom("available", "stopped"),
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(initial, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), async (start, sleeps, wakes) => {
        resetMocks();
        const aws = simulateAws(start);
        const { ports, ledger } = stagePorts();
        for (let i = 0; i < sleeps; i++) await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
        expect(aws).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
        expect(ledger.record_).toMatchObject({
          capacity: { desiredCount: start.desiredCount, minCapacity: start.minCapacity, maxCapacity: start.maxCapacity },
        });
        for (let i = 0; i < wakes; i++) await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
        expect({
          desiredCount: aws.desiredCount,
          minCapacity: aws.minCapacity,
          maxCapacity: aws.maxCapacity,
          database: aws.database === "starting" ? "available" : aws.database,
        }).toEqual(start);
        expect(ledger.record_).toBeNull();
        expect(ledger.nightsSlept).toHaveLength(1);
        // Each change happened once, however many ticks came.
        expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
        expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(start.database === "available" ? 1 : 0);
        expect(rds.commandCalls(StartDBInstanceCommand)).toHaveLength(start.database === "available" ? 1 : 0);
      }),
      { numRuns: 60 },
    );
  });

  it("calls the APIs with this service's names, limits first, then the desired count", async () => {
    simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { ports } = stagePorts();
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      services: [SERVICE],
      include: ["TAGS"],
    });
    expect(scaling.commandCalls(RegisterScalableTargetCommand)[0]?.args[0].input).toEqual({
      ServiceNamespace: "ecs",
      ResourceId: `service/${CLUSTER}/${SERVICE}`,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 0,
      MaxCapacity: 0,
    });
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: CLUSTER, service: SERVICE, desiredCount: 0 });
    expect(rds.commandCalls(StopDBInstanceCommand)[0]?.args[0].input).toEqual({ DBInstanceIdentifier: DB });
    const [register] = scaling.commandCalls(RegisterScalableTargetCommand);
    const [update] = ecs.commandCalls(UpdateServiceCommand);
    expect(update && register?.calledBefore(update)).toBe(true);
  });

  it("a wake while the database is still stopping restores the tasks now and starts the database on the check it schedules", async () => {
    const aws = simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4, stopsTo: "stopping" });
    const { ports, rechecks, ledger } = stagePorts();
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(aws.database).toBe("stopping");
    const first = await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    expect(first.recheckAt?.toISOString()).toBe("2026-11-24T06:35:00.000Z");
    expect(rechecks.map((r) => r.why)).toEqual(["the database is still stopping: it can only be started once stopped"]);
    expect(aws).toMatchObject({ desiredCount: 2, minCapacity: 1, maxCapacity: 4, database: "stopping" });
    expect(ledger.record_).not.toBeNull();
    aws.database = "stopped";
    await converge({ kind: "check", reason: rechecks[0]?.why ?? null }, config, ports, first.recheckAt as Date);
    expect(aws.database).toBe("starting");
    expect(ledger.record_).toBeNull();
  });

  it("a sleep tick during a release waits for it, changing nothing", async () => {
    const aws = simulateAws({ desiredCount: 2, taskSets: 2 });
    const { ports, rechecks, notices } = stagePorts();
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(aws).toMatchObject({ desiredCount: 2, database: "available" });
    expect(rechecks.map((r) => r.when.toISOString())).toEqual(["2026-11-23T18:15:00.000Z"]);
    expect(notices[0]).toMatchObject({ title: "dev: sleep postponed", severity: "info" });
  });

  it("in dry-run decides and reports, but changes nothing", async () => {
    const aws = simulateAws({ desiredCount: 2 });
    const { ports, notices, ledger } = stagePorts();
    const dryRun = devEnvironment({ AUTOMATION_MODE: "dry-run" }).config;
    await converge({ kind: "sleep" }, dryRun, ports, MONDAY_EVENING);
    expect(aws).toMatchObject({ desiredCount: 2, database: "available" });
    expect(ledger.record_).toBeNull();
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    // Told as a rehearsal: the stage is still up, nothing saved, nothing to wake.
    expect(notices[0]).toMatchObject({
      dryRun: true,
      title: "dev would have been put to sleep until Tue 24 Nov, 07:30 CET (06:30 UTC): nothing was changed",
      summary:
        "After working hours (07:30–19:00 Europe/Berlin): would have scaled the service to zero and stopped the database; nothing was changed. Sleeping would save about $0.52 over 12.5 h.",
      nextStep: null,
    });
  });

  it("in dry-run says what a wake would have restored, not that it restored it", async () => {
    const aws = simulateAws({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    const { ports, notices } = stagePorts();
    const dryRun = devEnvironment({ AUTOMATION_MODE: "dry-run" }).config;
    await converge({ kind: "wake" }, dryRun, ports, TUESDAY_MORNING);
    expect(aws).toMatchObject({ desiredCount: 0, database: "stopped" });
    expect(notices[0]?.summary).not.toMatch(/tasks restored|answers \/ready/);
    expect(notices[0]).toMatchObject({
      dryRun: true,
      title: "dev would have been woken: nothing was changed",
      summary: "Working hours (07:30–19:00 Europe/Berlin): would have restored the tasks; nothing was changed.",
    });
    expect(notices[0]?.facts).toContainEqual({
      label: "Note",
      value: "No state was recorded at sleep: the stage wakes with its default task count",
    });
  });
});

describe("Wake now, pressed on a sleep notice", () => {
  const wakeNow = (at: Date) => ({
    kind: "keep-awake" as const,
    until: new Date(at.getTime() + 2 * 3_600_000),
    reason: "alice pressed Wake now",
    wakeOnly: true,
  });

  it("on a stage the schedule has woken since: changes nothing, sets no tag, tells no one, and says so", async () => {
    const aws = simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { ports, notices, rechecks } = stagePorts();
    const result = await converge(wakeNow(TUESDAY_MORNING), config, ports, TUESDAY_MORNING);
    expect(result.declined).toMatch(/^dev is already awake \(/);
    expect(aws.tags).toEqual({});
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(notices).toEqual([]);
    expect(rechecks).toEqual([]);
  });

  it("on a sleeping stage: wakes it and keeps it awake for the two hours", async () => {
    const aws = simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { ports } = stagePorts();
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    const later = new Date(MONDAY_EVENING.getTime() + 3 * 3_600_000);
    const result = await converge(wakeNow(later), config, ports, later);
    expect(result.declined).toBeUndefined();
    expect(aws).toMatchObject({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    expect(aws.tags["keep-awake-until"]).toBe(new Date(later.getTime() + 2 * 3_600_000).toISOString());
  });

  it("Keep awake (not Wake now) on an awake stage still extends it: that is what it asks for", async () => {
    const aws = simulateAws({ desiredCount: 2 });
    const { ports } = stagePorts();
    const { wakeOnly: _, ...keepAwake } = wakeNow(MONDAY_EVENING);
    const result = await converge(keepAwake, config, ports, MONDAY_EVENING);
    expect(result.declined).toBeUndefined();
    expect(aws.tags["keep-awake-until"]).toBeDefined();
  });
});
