import type { AlarmNow } from "../rollback/present";
import { humanDuration } from "../text/duration";
import { formatTime } from "../text/time";
import type { NotifyEnvironment } from "./environment";
import { type IncidentRecord, incidentView } from "./incident";
import { incidentScope, type OpsMessage } from "./message";
import type { NotifyDependencies, ReminderPorts } from "./ports";
import { renderSlack } from "./render/slack";

/**
 * EventBridge's own event for a scheduled rule (source aws.events, detail-type "Scheduled Event"):
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-events.html
 */
export function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; "detail-type"?: unknown } | null;
  return typeof e === "object" && e !== null && e.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/** When the sweep runs: the scheduled event's own time (when its rule fired), or now when it has none. */
export function sweepTime(event: unknown): Date {
  const time = Date.parse(String((event as { time?: unknown } | null)?.time ?? ""));
  return Number.isNaN(time) ? new Date() : new Date(time);
}

export type ReminderDecision =
  | { remind: true; alarms: { name: string; since: Date }[]; openFor: number }
  | { remind: false; reason: string };

const ALARM_PREFIX = "alarm:";

/** The incident's alarms that it last heard were in ALARM. */
export function alarmsInAlarm(record: IncidentRecord): string[] {
  return Object.entries(record.members ?? {})
    .filter(([key, member]) => member.lasting && member.told === "problem" && key.startsWith(ALARM_PREFIX))
    .map(([key]) => key.slice(ALARM_PREFIX.length));
}

/** Whether to remind now. Pure. */
export function decideReminder(
  record: IncidentRecord | undefined,
  alarmsNow: Map<string, AlarmNow | null>,
  now: Date,
  remindAfterHours: number | null,
): ReminderDecision {
  if (remindAfterHours === null) return { remind: false, reason: "the stage has no reminders (notifications.remindAfterHours)" };
  if (!record) return { remind: false, reason: "the service has no incident" };
  if (record.told !== "problem") return { remind: false, reason: `${record.key} has ended` };
  if (record.remindedAt) return { remind: false, reason: `${record.key} was reminded at ${record.remindedAt}` };
  if (!record.message) return { remind: false, reason: `${record.key} has no Slack thread to remind in` };
  const openFor = now.getTime() - Date.parse(record.openedAt);
  if (openFor < remindAfterHours * 3_600_000) return { remind: false, reason: `${record.key} is open for ${humanDuration(openFor)} only` };
  const alarms = [...alarmsNow].flatMap(([name, state]) => (state?.state === "ALARM" ? [{ name, since: state.since }] : []));
  if (!alarms.length) return { remind: false, reason: `CloudWatch has none of ${record.key}'s alarms in ALARM now` };
  return { remind: true, alarms, openFor };
}

/** The reminder as a reply: which alarms are still in ALARM, since when (from CloudWatch), and the incident's next step. */
export function reminderMessage(record: IncidentRecord, decision: Extract<ReminderDecision, { remind: true }>, now: Date): OpsMessage {
  const view = incidentView(record);
  const zone = record.lead.timeZone;
  const names = decision.alarms.map((a) => a.name.split("-").at(-1) ?? a.name).join(" and ");
  return {
    ...view,
    severity: "warning",
    title: `Still in ALARM after ${humanDuration(decision.openFor)}: ${names}`.slice(0, 140),
    summary: `This incident opened ${formatTime(record.openedAt, zone)} and CloudWatch still has ${decision.alarms.length === 1 ? "its alarm" : "its alarms"} in ALARM. One reminder, no new page.`,
    facts: decision.alarms.map((a) => ({ label: "In ALARM since", value: `${a.name}: ${formatTime(a.since.toISOString(), zone)}` })),
    actionsTaken: [],
    occurredAt: now.toISOString(),
    source: { kind: "automation", eventId: `reminder:${record.key}:${record.openedAt}`, detailType: "Reminder" },
    incident: null,
    graph: null,
    buttons: [],
  };
}

export type ReminderOutcome = { reminded: string } | { skipped: string };

/**
 * Reminds the service's newest incident if it is due: the record marked first (a conditional write, so two
 * schedules' runs remind once), then the reply, at most once per incident.
 */
export async function remindIncident(
  ports: ReminderPorts,
  service: string,
  now: Date,
  remindAfterHours: number | null,
): Promise<ReminderOutcome> {
  if (!ports.slack?.canThread) return { skipped: "Slack cannot reply in a thread here (webhook or none): no reminder, never a new page" };
  const key = await ports.store.latestOf(service);
  const record = key ? await ports.store.incident(key) : undefined;
  const names = record ? alarmsInAlarm(record) : [];
  const alarmsNow = new Map(await Promise.all(names.map(async (name) => [name, await ports.alarms.now(name)] as const)));
  const decision = decideReminder(record, alarmsNow, now, remindAfterHours);
  if (!decision.remind || !record?.message) return { skipped: decision.remind ? "no thread" : decision.reason };
  const marked = { ...record, remindedAt: now.toISOString(), version: record.version + 1 };
  if (!(await ports.store.saveIncident(marked, record.version))) return { skipped: `${record.key} changed while being reminded` };
  const slack = ports.slack;
  const thread = record.message;
  const reply = reminderMessage(record, decision, now);
  await ports.once.run(`${reply.source.eventId}:slack`, async () => {
    await slack.post({ channel: thread.channel, threadTs: thread.ts, payload: renderSlack(reply) });
    return { posted: true };
  });
  return { reminded: record.key };
}

/**
 * A scheduled sweep (isScheduledEvent): the newest incident of the stage's public service, and of each worker (its
 * own, apart from the public service's: message.ts incidentScope), reminded at the rule's time if it is due.
 */
export async function sweepReminders(
  event: unknown,
  env: NotifyEnvironment,
  dependencies: NotifyDependencies,
): Promise<ReminderOutcome | (ReminderOutcome & { workers: Record<string, ReminderOutcome> })> {
  const ports = await dependencies.ports();
  const { stage, service, workers } = env.context;
  const reminder = { store: ports.store, slack: ports.slack, alarms: dependencies.alarms, once: ports.once };
  const remind = (worker?: string) =>
    remindIncident(reminder, incidentScope({ stage, service, worker }), sweepTime(event), env.settings.remindAfterHours);
  const outcome = await remind();
  if (!workers.length) return outcome;
  return { ...outcome, workers: Object.fromEntries(await Promise.all(workers.map(async (w) => [w.name, await remind(w.name)] as const))) };
}
