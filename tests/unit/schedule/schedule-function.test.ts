import { readFileSync } from "node:fs";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { schedulerRechecks } from "@hands-off-ops/core/schedule/aws-recheck-schedules";
import type { ScheduleEnvironment } from "@hands-off-ops/core/schedule/environment";
import type { SchedulePorts } from "@hands-off-ops/core/schedule/ports";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createScheduleHandler } from "../../../functions/schedule";
import { rdsAutoStartEvent } from "../../fixtures/events";
import { memoryOnce } from "../notify/fakes";
import { DB, devEnvironment, ecs, rds, resetMocks, simulateAws, stagePorts } from "./helpers";

const scheduler = mockClient(SchedulerClient);
afterEach(() => {
  resetMocks();
  scheduler.reset();
});

// Berlin is on CET (UTC+1) in November and December 2026.
const MONDAY_1900 = new Date("2026-11-23T18:00:00Z");
const TUESDAY_0730 = new Date("2026-11-24T06:30:00Z");
const tick = (action: string, at: Date, executionId = `exec-${action}-${at.getTime()}`) => ({
  action,
  executionId,
  scheduledTime: at.toISOString(),
});

function handlerAt(now: Date, env: ScheduleEnvironment = devEnvironment(), ports?: SchedulePorts) {
  const stage = stagePorts();
  const clock = { now };
  const handle = createScheduleHandler(env, ports ?? stage.ports, memoryOnce(), () => clock.now);
  return { handle, clock, ...stage };
}

describe("the schedule function", () => {
  it("puts the stage to sleep at the end of the day and tells on-call until when, and what it saves", async () => {
    const aws = simulateAws({ desiredCount: 1, minCapacity: 1, maxCapacity: 2 });
    const { handle, notices } = handlerAt(MONDAY_1900);
    await expect(handle(tick("sleep", MONDAY_1900))).resolves.toMatchObject({ decision: { state: "asleep" } });
    expect(aws).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      actor: "schedule",
      severity: "info",
      title: "dev is asleep until Tue 24 Nov, 07:30 CET (06:30 UTC)",
      actionsTaken: ["Scaled the service to 0 tasks (auto scaling 0–0).", "Stopped the database."],
    });
    // 1 task × (0.25 vCPU × $0.03725 + 0.5 GB × $0.00409) + $0.019 for the database = $0.03036 an hour, for 12.5 h.
    expect(notices[0]?.summary).toContain("Saves about $0.38 over 12.5 h.");
    expect(notices[0]?.facts).toContainEqual({ label: "Recorded", value: `1 task (auto scaling 1–2), database ${DB} available` });
  });

  it("wakes it in the morning and says how long it slept and what that saved", async () => {
    const aws = simulateAws({ desiredCount: 1, minCapacity: 1, maxCapacity: 2 });
    const { handle, clock, notices, ledger } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900));
    clock.now = TUESDAY_0730;
    await handle(tick("wake", TUESDAY_0730));
    expect(aws).toMatchObject({ desiredCount: 1, minCapacity: 1, maxCapacity: 2, database: "starting" });
    expect(notices[1]).toMatchObject({
      title: "dev is awake",
      actionsTaken: ["Started the database.", "Restored 1 task (auto scaling 1–2)."],
    });
    expect(notices[1]?.summary).toContain("Slept 12.5 h, about $0.38 saved.");
    expect(ledger.nightsSlept.map((n) => n.saved.toFixed(4))).toEqual(["0.3795"]);
  });

  it("acts once when the scheduler delivers the same execution twice", async () => {
    simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { handle, notices } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900, "exec-1"));
    await handle(tick("sleep", MONDAY_1900, "exec-1"));
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notices).toHaveLength(1);
  });

  it("a second, different sleep tick changes nothing and says so", async () => {
    simulateAws({ desiredCount: 2, minCapacity: 1, maxCapacity: 4 });
    const { handle, notices } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900, "exec-1"));
    await handle(tick("sleep", MONDAY_1900, "exec-2"));
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(notices[1]).toMatchObject({ title: "dev was already asleep", actionsTaken: [] });
    expect(notices[1]?.summary).toMatch(/^Nothing to change: after working hours/);
  });

  it("says only what it did: a database already stopped is not stopped again", async () => {
    simulateAws({ desiredCount: 2, database: "stopped" });
    const { handle, notices } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900));
    expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(0);
    expect(notices[0]?.summary).toMatch(/^After working hours \(07:30–19:00 Europe\/Berlin\): the service is scaled to zero\. Saves about/);
  });

  it("decides for the scheduled time when the tick arrives a moment early", async () => {
    simulateAws();
    const { handle } = handlerAt(new Date(MONDAY_1900.getTime() - 200));
    await expect(handle(tick("sleep", MONDAY_1900))).resolves.toMatchObject({ decision: { state: "asleep" } });
  });

  it("stays asleep on a public holiday, and says why", async () => {
    // Friday 25 December 2026.
    const christmas = new Date("2026-12-25T06:30:00Z");
    const aws = simulateAws({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    const { handle, notices, ledger } = handlerAt(christmas);
    await ledger.record({
      capacity: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 },
      database: "available",
      sleptAt: "2026-12-23T18:00:00.000Z",
    });
    await handle(tick("wake", christmas));
    expect(aws).toMatchObject({ desiredCount: 0, database: "stopped" });
    expect(notices[0]).toMatchObject({ title: "dev stays asleep today" });
    expect(notices[0]?.facts).toContainEqual({ label: "Why", value: "Public holiday: Christmas Day" });
    expect(notices[0]?.facts).toContainEqual({ label: "Wakes", value: "Mon 28 Dec, 07:30 CET (06:30 UTC)" });
  });

  it("honours a keep-awake tag at sleep time, and sleeps when it ends", async () => {
    const aws = simulateAws({
      desiredCount: 2,
      tags: { "keep-awake-until": "2026-11-23T22:00:00+01:00", "keep-awake-reason": "load test" },
    });
    const { handle, clock, notices, rechecks } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900));
    expect(aws.desiredCount).toBe(2);
    expect(notices[0]?.title).toBe("dev stays awake: kept awake until Mon 23 Nov, 22:00 CET (21:00 UTC) (load test)");
    expect(rechecks.map((r) => [r.when.toISOString(), r.why])).toEqual([["2026-11-23T21:00:00.000Z", "the keep-awake override ends"]]);
    clock.now = new Date("2026-11-23T21:00:00Z");
    await handle({ action: "check", reason: "the keep-awake override ends", executionId: "exec-check" });
    expect(aws).toMatchObject({ desiredCount: 0, database: "stopped" });
    expect(notices[1]?.facts).toContainEqual({ label: "Checked because", value: "the keep-awake override ends" });
  });

  it("keeps a sleeping stage awake when asked (a deploy at night): tags the service, wakes it, and sleeps it when that ends", async () => {
    const night = new Date("2026-11-23T21:00:00Z");
    const aws = simulateAws({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    const { handle, clock, notices, ledger, rechecks } = handlerAt(night);
    await ledger.record({
      capacity: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 },
      database: "available",
      sleptAt: "2026-11-23T18:00:00.000Z",
    });
    await handle({ action: "keep-awake", minutes: 60, reason: "deploy of 3f2a9c1 (GitHub run 42)" });
    expect(aws.tags).toEqual({ "keep-awake-until": "2026-11-23T22:00:00.000Z", "keep-awake-reason": "deploy of 3f2a9c1 GitHub run 42" });
    expect(aws).toMatchObject({ desiredCount: 1, minCapacity: 1, maxCapacity: 2, database: "starting" });
    expect(notices[0]).toMatchObject({ title: "dev is awake" });
    expect(notices[0]?.facts).toContainEqual({
      label: "Why",
      value: "Kept awake until Mon 23 Nov, 23:00 CET (22:00 UTC) (deploy of 3f2a9c1 GitHub run 42)",
    });
    expect(rechecks.map((r) => r.when.toISOString())).toEqual(["2026-11-23T22:00:00.000Z"]);
    aws.database = "available";
    clock.now = new Date("2026-11-23T22:00:00Z");
    await handle({ action: "check", reason: "the keep-awake override ends" });
    expect(aws).toMatchObject({ desiredCount: 0, database: "stopped" });
  });

  it("ignores an expired keep-awake tag, and says so", async () => {
    const aws = simulateAws({ desiredCount: 2, tags: { "keep-awake-until": "2026-11-20T22:00:00+01:00" } });
    const { handle, notices } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900));
    expect(aws.desiredCount).toBe(0);
    expect(notices[0]?.facts).toContainEqual({
      label: "Note",
      value: "Ignored the keep-awake-until tag: 2026-11-20T22:00:00+01:00 has passed",
    });
  });

  it("stops the database again when RDS restarts it after 7 days, once it is available", async () => {
    // Saturday night: the stage sleeps through the weekend; RDS is starting the instance.
    const saturday = new Date("2026-11-28T23:00:00Z");
    const aws = simulateAws({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "starting" });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:aws:scheduler:eu-central-1:123456789012:schedule/dev/recheck" });
    const env = devEnvironment();
    const stage = stagePorts();
    const ports = {
      ...stage.ports,
      rechecks: schedulerRechecks({ ...env.rechecks, functionArn: "arn:aws:lambda:eu-central-1:123456789012:function:dev-Schedule" }),
    };
    await stage.ledger.record({
      capacity: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 },
      database: "available",
      sleptAt: "2026-11-20T18:00:00.000Z",
    });
    const { handle, clock } = handlerAt(saturday, env, ports);

    await handle(rdsAutoStartEvent(DB));
    expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(0);
    expect(stage.notices[0]).toMatchObject({ title: "dev: RDS restarted the sleeping database" });
    expect(stage.notices[0]?.summary).toContain("checking again at Sun 29 Nov, 00:10 CET (23:10 UTC).");
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: "recheck-202611282310",
      GroupName: "dev-hands-off-ops-schedule",
      ScheduleExpression: "at(2026-11-28T23:10:00)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      Description: "the database is starting: it can only be stopped once available",
      Target: {
        Arn: "arn:aws:lambda:eu-central-1:123456789012:function:dev-Schedule",
        RoleArn: "arn:aws:iam::123456789012:role/dev-SleepScheduler",
        Input: JSON.stringify({
          action: "check",
          reason: "the database is starting: it can only be stopped once available",
          executionId: "<aws.scheduler.execution-id>",
          scheduledTime: "<aws.scheduler.scheduled-time>",
        }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: "arn:aws:sqs:eu-central-1:123456789012:dev-DeadLetters" },
      },
    });

    aws.database = "available";
    clock.now = new Date("2026-11-28T23:10:00Z");
    const input = JSON.parse(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input ?? "{}");
    await handle({ ...input, executionId: "exec-recheck", scheduledTime: "2026-11-28T23:10:00Z" });
    expect(aws.database).toBe("stopped");
    expect(stage.notices[1]?.actionsTaken).toEqual(["Stopped the database."]);
  });

  it("ignores RDS events of other instances and other event ids (the documentation's sample)", async () => {
    const { handle } = handlerAt(MONDAY_1900);
    const sample = JSON.parse(readFileSync(new URL("../../fixtures/events/rds-db-instance-event.json", import.meta.url), "utf8"));
    await expect(handle(sample)).resolves.toEqual({ ignored: `event for DB instance testdb, not ${DB}` });
    await expect(handle({ ...sample, detail: { ...sample.detail, SourceIdentifier: DB } })).resolves.toEqual({
      ignored: "RDS-EVENT-0087 needs nothing",
    });
  });

  it.each([
    [
      "an unknown action",
      { action: "nap" },
      'not a schedule tick ({"action": "sleep" | "wake" | "check" | "summary" | "keep-awake"}): action:',
    ],
    ["a keep-awake without its duration", { action: "keep-awake", reason: "deploy" }, 'keep-awake needs "minutes"'],
    ["a keep-awake of a month", { action: "keep-awake", reason: "deploy", minutes: 43_200 }, "minutes: Too big"],
    ["an empty object", {}, "not a schedule tick"],
    [
      "another AWS event",
      { "detail-type": "EC2 Instance State-change Notification", source: "aws.ec2", id: "x" },
      "not an RDS DB instance event",
    ],
    ["a bad scheduled time", { action: "sleep", scheduledTime: "yesterday" }, "scheduledTime"],
  ])("rejects %s with the reason, acting on nothing", async (_name, event, reason) => {
    simulateAws();
    const { handle, notices } = handlerAt(MONDAY_1900);
    const result = (await handle(event)) as { rejected: string };
    expect(result.rejected).toContain(reason);
    expect(ecs.calls()).toHaveLength(0);
    expect(notices).toHaveLength(0);
  });

  it("refuses to act in a production stage, even if deployed there", async () => {
    simulateAws();
    const { handle } = handlerAt(MONDAY_1900, devEnvironment({ STAGE: "prod", STAGE_KIND: "production" }));
    await expect(handle(tick("sleep", MONDAY_1900))).resolves.toEqual({ refused: "a production stage is never scheduled down" });
    expect(ecs.calls()).toHaveLength(0);
    expect(rds.calls()).toHaveLength(0);
  });

  it("refuses when the settings disable the schedule", async () => {
    const settings = JSON.parse(JSON.stringify({ ...devEnvironment().config.calendar, enabled: false }));
    const disabled = devEnvironment({
      SCHEDULE_SETTINGS: JSON.stringify({
        ...settings,
        closed: undefined,
        weeklySummary: "mon",
        prices: devEnvironment().config.cost.prices,
      }),
    });
    const { handle } = handlerAt(MONDAY_1900, disabled);
    await expect(handle(tick("sleep", MONDAY_1900))).resolves.toEqual({ refused: "the schedule is disabled in the settings" });
  });

  it("reports a failure as a warning and fails the invocation, so that it is retried", async () => {
    simulateAws({ desiredCount: 2 });
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const { handle, notices } = handlerAt(MONDAY_1900);
    await expect(handle(tick("sleep", MONDAY_1900))).rejects.toThrow("Rate exceeded");
    expect(notices[0]).toMatchObject({ severity: "warning", title: "Putting dev to sleep failed" });
    expect(notices[0]?.summary).toBe("After working hours (07:30–19:00 Europe/Berlin), but ThrottlingException: Rate exceeded");
  });

  it("sends the weekly summary of the nights slept", async () => {
    const { handle, notices, ledger } = handlerAt(new Date("2026-11-30T06:30:00Z"));
    await ledger.addNight({ sleptAt: new Date("2026-11-23T18:00:00Z"), wokeAt: new Date("2026-11-24T06:30:00Z"), saved: 0.38 });
    await ledger.addNight({ sleptAt: new Date("2026-11-27T18:00:00Z"), wokeAt: new Date("2026-11-30T06:30:00Z"), saved: 1.85 });
    await handle(tick("summary", new Date("2026-11-30T06:30:00Z")));
    expect(notices[0]).toMatchObject({ title: "dev slept 73 h in the last 7 days: about $2.23 saved", severity: "info" });
    expect(notices[0]?.facts).toContainEqual({ label: "Sleep periods", value: "2" });
  });

  it("every notice it sends is one the notifier accepts", async () => {
    simulateAws({ desiredCount: 2, tags: { "keep-awake-until": "not a date" } });
    const { handle, clock, notices } = handlerAt(MONDAY_1900);
    await handle(tick("sleep", MONDAY_1900));
    clock.now = TUESDAY_0730;
    await handle(tick("wake", TUESDAY_0730));
    await handle(tick("summary", TUESDAY_0730));
    expect(notices).toHaveLength(3);
    for (const notice of notices) expect(AutomationNotice.safeParse(notice).success).toBe(true);
  });
});
