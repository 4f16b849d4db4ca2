import type { NotifyContext } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { RDS_EVENTS_GUIDE } from "@hands-off-ops/core/notify/sources/rds";
import { describe, expect, it } from "vitest";
import { loadEvent, RDS_EVENTS, rdsAutoStartEvent, rdsEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";
import { messageOf } from "./message-of";

/** Event ids and wording: RDS User Guide, "Amazon RDS event categories and event messages" (RDS_EVENTS_GUIDE). */

const DB = "prod-hands-off-ops-database";
const contextOf = (sleepSchedule: NotifyContext["sleepSchedule"]): NotifyContext => ({ ...PROD_CONTEXT, stage: "dev", sleepSchedule });
const messageOn = (event: unknown, context: NotifyContext) => {
  const normalized = normalize(event, context);
  if (normalized.kind !== "message") throw new Error(normalized.reason);
  return normalized.message;
};

describe("RDS DB instance events", () => {
  it.each([
    ["failoverStarted", "critical", "Database failover started", "failover started"],
    ["failoverCompleted", "critical", "Database failed over to its standby", "failover completed"],
    ["storageFull", "critical", "Database storage is full", "storage full"],
    ["lowStorage", "critical", "Database storage is low", "storage low"],
    ["shutdown", "warning", "Database shut down", "shut down"],
    ["restarted", "warning", "Database restarted", "restarted"],
    ["stopped", "warning", "Database stopped", "stopped"],
    ["instanceClassChanging", "warning", "RDS event RDS-EVENT-0012 on the database", "RDS-EVENT-0012"],
  ] as const)("%s is %s: %s, an event of the database's incident", (kind, severity, title, state) => {
    const message = messageOf(rdsEvent(kind, DB));
    expect(message.severity).toBe(severity);
    expect(message.title).toBe(title);
    expect(message.source).toMatchObject({ kind: "database", detailType: "RDS DB Instance Event" });
    // Tagged so that it joins the service's incident: the key names the instance, the state what RDS said happened.
    expect(message.incident).toEqual({ role: "event", key: `database:${DB}`, state });
    const [eventId, category, said] = RDS_EVENTS[kind];
    expect(message.facts).toEqual([
      { label: "Database", value: DB },
      { label: "RDS event", value: `${eventId} (${category})` },
      { label: "RDS says", value: said },
    ]);
    expect(message.links[0]).toEqual({
      label: "RDS instance",
      url: `https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1#database:id=${DB};is-cluster=false`,
    });
    expect(message.links.map((link) => link.label)).toContain("Dashboard");
    // The notifier knows of no action taken: RDS acts by itself, and the automation reports its own.
    expect(message.actionsTaken).toEqual([]);
  });

  it("says what RDS does by itself in a failover, and that nothing needs starting by hand", () => {
    const started = messageOf(rdsEvent("failoverStarted", DB));
    expect(started.summary).toContain("promoting the standby");
    expect(started.nextStep).toMatch(/^Nothing to start by hand: RDS fails over by itself/);
    expect(messageOf(rdsEvent("failoverCompleted", DB)).summary).toContain("the former standby is now the primary");
  });

  it("gives the command that adds storage, with the stage's instance, when storage runs out", () => {
    for (const kind of ["storageFull", "lowStorage"] as const)
      expect(messageOf(rdsEvent(kind, DB)).nextStep).toContain(
        `aws rds modify-db-instance --db-instance-identifier ${DB} --allocated-storage <GiB, more than now> --apply-immediately`,
      );
  });

  it("shows an event it has no wording for with RDS's own message and where RDS explains the id: never dropped", () => {
    const message = messageOf(rdsEvent("instanceClassChanging", DB));
    expect(message.summary).toContain("RDS reported RDS-EVENT-0012 (configuration change)");
    expect(message.summary).toContain("Nothing automatic happened for it.");
    expect(message.links).toContainEqual({ label: "RDS event messages", url: RDS_EVENTS_GUIDE });
    const noId = rdsEvent("instanceClassChanging", DB);
    delete noId.detail.EventID;
    expect(messageOf(noId)).toMatchObject({ severity: "warning", incident: { key: `database:${DB}`, state: "RDS event" } });
  });

  it("ignores RDS's routine backups, with the reason", () => {
    expect(normalize(rdsEvent("backingUp", DB), PROD_CONTEXT)).toEqual({
      kind: "ignored",
      reason: "RDS-EVENT-0001 (backing up): RDS's automated backup is routine",
    });
  });

  it("reads a malformed detail as an event nobody could read, naming the field", () => {
    const event = loadEvent("rds-db-instance-event");
    delete event.detail.SourceIdentifier;
    const message = messageOf(event);
    expect(message.source.kind).toBe("unrecognised");
    expect(message.severity).toBe("warning");
    expect(message.rejection).toMatch(/^RDS DB instance event detail SourceIdentifier: /);
    expect(messageOf({ ...event, detail: "DB instance stopped" }).rejection).toMatch(/^RDS DB instance event detail \(event\): /);
  });
});

describe("RDS's stop, start and 7-day restart, read against the stage's sleep schedule", () => {
  it("on a stage without a schedule (prod): the 7-day restart is a warning nothing answers, with the command to stop it again", () => {
    const message = messageOf(rdsAutoStartEvent(DB));
    expect(message.severity).toBe("warning");
    expect(message.title).toBe("RDS started the stopped database after 7 days");
    expect(message.summary).toContain("This stage has no sleep schedule, so nothing stops it again.");
    expect(message.nextStep).toBe(
      `If it should stay stopped, stop it again: aws rds stop-db-instance --db-instance-identifier ${DB} (RDS starts it again after another seven days).`,
    );
    expect(message.incident).toEqual({ role: "event", key: `database:${DB}`, state: "started after 7 days stopped" });
  });

  it("on a sleeping stage: says that the schedule function stops it again, and asks nobody to act", () => {
    const message = messageOn(rdsAutoStartEvent("dev-db"), contextOf("enforce"));
    expect(message.summary).toContain(
      "The sleep schedule function receives this event too: while the stage should be asleep (outside working hours, weekends and holidays) it stops the database again once it is available, checking back every 10 minutes while RDS is still starting it; during working hours it leaves it running.",
    );
    expect(message.nextStep).toBeNull();
  });

  it("on a sleeping stage in dry-run: says the schedule only rehearses, and gives the command", () => {
    const message = messageOn(rdsAutoStartEvent("dev-db"), contextOf("dry-run"));
    expect(message.summary).toContain("on this stage it runs in dry-run: it only says what it would do");
    expect(message.nextStep).toContain("aws rds stop-db-instance --db-instance-identifier dev-db");
  });

  it("ignores the nightly stop and the morning start the schedule makes, and reports them where no schedule makes them", () => {
    const sleeping = contextOf("enforce");
    expect(normalize(rdsEvent("stopped", "dev-db"), sleeping)).toMatchObject({
      kind: "ignored",
      reason: expect.stringContaining("sleep schedule"),
    });
    expect(normalize(rdsEvent("started", "dev-db"), sleeping)).toMatchObject({
      kind: "ignored",
      reason: expect.stringContaining("sleep schedule"),
    });

    const stopped = messageOf(rdsEvent("stopped", DB));
    expect(stopped.summary).toContain("not by a sleep schedule (this stage has none)");
    expect(stopped.nextStep).toContain(`aws rds start-db-instance --db-instance-identifier ${DB}`);
    expect(messageOn(rdsEvent("stopped", "dev-db"), contextOf("dry-run")).summary).toContain("it runs in dry-run on this stage");
    // A start is news, no problem: not part of any incident.
    const started = messageOf(rdsEvent("started", DB));
    expect(started).toMatchObject({ severity: "info", title: "Database started", incident: null, nextStep: null });
  });
});
