import * as z from "../../zod";
import { dashboardLink, ERROR_LOGS_QUERY, logsQueryLink, rdsInstanceLink } from "../links";
import type { Fact, Link, NotifyContext, OpsMessage, Severity } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

export const RDS_INSTANCE_DETAIL_TYPE = "RDS DB Instance Event";

/** Where RDS explains each event id: "Amazon RDS event categories and event messages" (RDS User Guide). */
export const RDS_EVENTS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html";

/**
 * An RDS DB instance event's detail, as the RDS User Guide's EventBridge tutorial shows it
 * (tests/fixtures/events/rds-db-instance-event.json): the instance, RDS's event id and its message.
 */
export const RdsInstanceDetail = z.looseObject({
  SourceIdentifier: z.string().check(z.minLength(1)),
  SourceArn: z.optional(z.string()),
  EventID: z.optional(z.string().check(z.minLength(1))),
  Message: z._default(z.string(), ""),
  EventCategories: z._default(z.array(z.string()), []),
});
type RdsInstanceDetail = z.infer<typeof RdsInstanceDetail>;

/** What a person is told of one event: its state on the incident's timeline, how bad, what happened, what next. */
interface Wording {
  state: string;
  severity: Severity;
  title: string;
  summary: string;
  next: string | null;
}

type Reading = Wording | { ignored: string };

/** The event ids a person needs to hear of, worded from the RDS User Guide's table of DB instance events. */
const KNOWN: Record<string, (instance: string, context: NotifyContext) => Reading> = {
  // failover
  "RDS-EVENT-0013": () => ({
    state: "failover started",
    severity: "critical",
    title: "Database failover started",
    summary:
      "RDS is promoting the standby of the stage's Multi-AZ database to primary. Until that completes the database takes no connections, so the service's requests that need it fail; RDS documents failovers as typically taking 60 to 120 seconds.",
    next: "Nothing to start by hand: RDS fails over by itself. If the dashboard's 5xx rate is still up a few minutes after RDS reported the failover completed (RDS-EVENT-0049), read the service's error logs.",
  }),
  "RDS-EVENT-0015": () => failedOver,
  "RDS-EVENT-0049": () => failedOver,
  // recovery (a Single-AZ instance has no standby to fail over to)
  "RDS-EVENT-0020": () => ({
    state: "recovery started",
    severity: "critical",
    title: "Database is being recovered",
    summary:
      "RDS is recovering the stage's database after a failure. It is unavailable until the recovery completes, which takes longer the more data there is to recover.",
    next: "Nothing to start by hand: RDS recovers it by itself. The instance's status in the RDS console says when it is available again, its Logs & events tab what failed.",
  }),
  "RDS-EVENT-0021": () => ({
    state: "recovered",
    severity: "warning",
    title: "Database recovered",
    summary: "RDS finished recovering the stage's database after a failure: it takes connections again.",
    next: "Check that the dashboard's 5xx rate is back to normal; the instance's Logs & events tab in the RDS console says what failed.",
  }),
  // availability
  "RDS-EVENT-0004": () => ({
    state: "shut down",
    severity: "warning",
    title: "Database shut down",
    summary:
      "RDS shut the stage's database down: for a reboot, a change that needs a restart (instance class, parameters, maintenance) or a failure. The service's requests that need the database fail until it is back.",
    next: "Open the instance in the RDS console: its status says whether it is available again, its Logs & events tab why it shut down.",
  }),
  "RDS-EVENT-0006": () => ({
    state: "restarted",
    severity: "warning",
    title: "Database restarted",
    summary:
      "RDS restarted the stage's database (a reboot, maintenance, a change of instance class or parameters, or a failure it recovered from). Connections the service held were cut while it restarted.",
    next: "Check that the dashboard's 5xx rate is back to normal; the instance's Logs & events tab in the RDS console says why it restarted.",
  }),
  // storage
  "RDS-EVENT-0007": (instance) => ({
    state: "storage full",
    severity: "critical",
    title: "Database storage is full",
    summary: "The database's allocated storage is used up: it cannot write, so every request of the service that writes fails.",
    next: moreStorage(instance),
  }),
  "RDS-EVENT-0221": (instance) => ({
    state: "storage full, shut down",
    severity: "critical",
    title: "Database storage is full: RDS shut it down",
    summary:
      "The database reached RDS's storage-full threshold, and RDS shut it down to prevent corruption: the service cannot use it until it has more storage.",
    next: moreStorage(instance),
  }),
  "RDS-EVENT-0089": (instance) => ({
    state: "storage low",
    severity: "critical",
    title: "Database storage is low",
    summary: "The database has used more than 90% of its allocated storage. Once it is full it cannot write, and RDS shuts it down.",
    next: moreStorage(instance),
  }),
  "RDS-EVENT-0222": (instance) => ({
    state: "storage low",
    severity: "critical",
    title: "Database storage is low",
    summary:
      "The database's free storage is low (RDS's message gives the figures); RDS shuts it down to prevent corruption if it falls below the threshold it names.",
    next: moreStorage(instance),
  }),
  "RDS-EVENT-0225": () => ({
    state: "storage near its maximum",
    severity: "warning",
    title: "Database storage is near its autoscaling limit",
    summary:
      "Storage autoscaling has grown the database to 80% of its maximum storage threshold: past that threshold its storage cannot grow by itself.",
    next: "Raise database.maxAllocatedStorageGiB for the stage (stacks/config.ts) and deploy.",
  }),
  // notification: started, stopped, and started again by RDS after 7 days
  "RDS-EVENT-0154": (instance, context) => ({
    state: "started after 7 days stopped",
    severity: "warning",
    title: "RDS started the stopped database after 7 days",
    summary: `RDS starts an instance that has been stopped for seven days in a row, so that it does not fall behind on required maintenance. ${AFTER_AUTO_START[scheduleOf(context)]}`,
    next:
      context.sleepSchedule === "enforce"
        ? null
        : `If it should stay stopped, stop it again: aws rds stop-db-instance --db-instance-identifier ${instance} (RDS starts it again after another seven days).`,
  }),
  "RDS-EVENT-0087": (instance, context) =>
    context.sleepSchedule === "enforce"
      ? { ignored: "RDS-EVENT-0087 (stopped): the sleep schedule stops the database outside working hours, and its own notice says so" }
      : {
          state: "stopped",
          severity: "warning",
          title: "Database stopped",
          summary: `The stage's database was stopped, ${NOT_BY_SCHEDULE[scheduleOf(context)]}. The service's requests that need the database fail while it is stopped; RDS starts it again by itself after seven days.`,
          next: `If it should run, start it: aws rds start-db-instance --db-instance-identifier ${instance}. CloudTrail's StopDBInstance event names who stopped it.`,
        },
  "RDS-EVENT-0088": (_instance, context) =>
    context.sleepSchedule === "enforce"
      ? { ignored: "RDS-EVENT-0088 (started): the sleep schedule starts the database when working hours begin, and its own notice says so" }
      : {
          state: "started",
          severity: "info",
          title: "Database started",
          summary: `The stage's database was started, ${NOT_BY_SCHEDULE[scheduleOf(context)]}.`,
          next: null,
        },
  // backup: RDS's daily automated backup, in the instance's backup window
  "RDS-EVENT-0001": () => ({ ignored: "RDS-EVENT-0001 (backing up): RDS's automated backup is routine" }),
  "RDS-EVENT-0002": () => ({ ignored: "RDS-EVENT-0002 (backup finished): RDS's automated backup is routine" }),
};

const failedOver: Wording = {
  state: "failover completed",
  severity: "critical",
  title: "Database failed over to its standby",
  summary:
    "RDS completed a Multi-AZ failover: the former standby is now the primary. The database took no connections while it failed over, and the connections the service held were cut.",
  next: "Check that the dashboard's 5xx rate is back to normal; if requests still fail, read the service's error logs. The instance's Logs & events tab in the RDS console says why RDS failed over.",
};

const moreStorage = (instance: string) =>
  `Give it room now: aws rds modify-db-instance --db-instance-identifier ${instance} --allocated-storage <GiB, more than now> --apply-immediately. Then raise database.allocatedStorageGiB and database.maxAllocatedStorageGiB for the stage (stacks/config.ts) to at least that and deploy, so that storage autoscaling has room the next time.`;

type ScheduleKind = "enforce" | "dry-run" | "none";
const scheduleOf = (context: NotifyContext): ScheduleKind => context.sleepSchedule ?? "none";

/** What the schedule function does with RDS-EVENT-0154 (schedule/trigger.ts: database-auto-start; schedule/plan.ts). */
const AFTER_AUTO_START: Record<ScheduleKind, string> = {
  enforce:
    "The sleep schedule function receives this event too: while the stage should be asleep (outside working hours, weekends and holidays) it stops the database again once it is available, checking back every 10 minutes while RDS is still starting it; during working hours it leaves it running. Its own notice says which.",
  "dry-run":
    "The sleep schedule function receives this event too, but on this stage it runs in dry-run: it only says what it would do, so the database stays up until someone stops it.",
  none: "This stage has no sleep schedule, so nothing stops it again.",
};

const NOT_BY_SCHEDULE: Record<ScheduleKind, string> = {
  enforce: "by the sleep schedule",
  "dry-run": "not by the sleep schedule (it runs in dry-run on this stage and changes nothing)",
  none: "not by a sleep schedule (this stage has none)",
};

export function readRdsInstanceEvent(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = RdsInstanceDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `RDS DB instance event detail ${firstIssue(parsed.error)}`);
  const detail = parsed.data;
  const instance = detail.SourceIdentifier;
  const known = detail.EventID && Object.hasOwn(KNOWN, detail.EventID) ? KNOWN[detail.EventID] : undefined;
  const reading = known ? known(instance, context) : unknownEvent(detail);
  if ("ignored" in reading) return { kind: "ignored", reason: reading.ignored };

  const message: OpsMessage = {
    ...baseMessage(envelope, context, "database"),
    severity: reading.severity,
    title: reading.title,
    summary: reading.summary,
    facts: factsOf(detail),
    nextStep: reading.next,
    links: linksOf(envelope, context, instance, !known),
    // A problem of the database is part of the service's incident (every message that is no routine news).
    incident: reading.severity === "info" ? null : { role: "event", key: `database:${instance}`, state: reading.state.slice(0, 40) },
  };
  return { kind: "message", message };
}

/** An event id the notifier has no wording for: shown with RDS's own message, never dropped. */
function unknownEvent(detail: RdsInstanceDetail): Wording {
  const id = detail.EventID ?? "an event without an EventID";
  const categories = detail.EventCategories.length ? ` (${detail.EventCategories.join(", ")})` : "";
  return {
    state: detail.EventID ?? "RDS event",
    severity: "warning",
    title: `RDS event ${detail.EventID ?? "without an id"} on the database`,
    summary: `RDS reported ${id}${categories} for the stage's database, which the notifier has no wording for: RDS's own message is below. Nothing automatic happened for it.`,
    next: "Read RDS's message below, then the instance's Logs & events tab in the RDS console for the events around it; the RDS User Guide's table of event messages explains the id.",
  };
}

function factsOf(detail: RdsInstanceDetail): Fact[] {
  const categories = detail.EventCategories.length ? ` (${detail.EventCategories.join(", ")})` : "";
  const facts: Fact[] = [
    { label: "Database", value: detail.SourceIdentifier },
    { label: "RDS event", value: `${detail.EventID ?? "(no EventID)"}${categories}` },
  ];
  if (detail.Message.trim()) facts.push({ label: "RDS says", value: detail.Message.trim() });
  return facts.map((fact) => ({ ...fact, value: fact.value.slice(0, 2000) }));
}

function linksOf(envelope: Envelope, context: NotifyContext, instance: string, unknown: boolean): Link[] {
  return [
    rdsInstanceLink(envelope.region, instance),
    dashboardLink(envelope.region, context.dashboardName),
    logsQueryLink(envelope.region, context.logGroupName, ERROR_LOGS_QUERY, new Date(envelope.time)),
    ...(unknown ? [{ label: "RDS event messages", url: RDS_EVENTS_GUIDE }] : []),
  ];
}
