import { readFileSync } from "node:fs";
import type { StageSettings } from "../../../../../stacks/config";
import { APP_NAME } from "../../../../../stacks/names";
import { alarmChangesOf } from "./alarm-history";
import { RouteError } from "./route";
import { type Delivered, type ReplayShared, replay, sharedMemory } from "./run";
import { readScenario, withOverrides } from "./scenario";
import { slackAsText } from "./slack-text";
import type { Timeline } from "./timeline-file";

/**
 * An incident as a timeline: AWS's sample events, changed to the stage's
 * names and put at offsets from a start (ALARM at 0 s, CodeDeploy's STOP at
 * 40 s, OK at 6 min), replayed in order through the stage's real handlers
 * with one shared memory (the state table's incidents and threads, the
 * rollback ledger), so that the noise on-call gets can be counted.
 */

export interface TimelineResult {
  lines: string[];
  tally: Tally;
}

export interface Tally {
  emails: Record<"page" | "escalation" | "resolution" | "reopened" | "other", number>;
  slack: { messages: number; updates: number; replies: number };
  incidents: number;
}

export interface TimelineOptions {
  /** Only what on-call reads (Slack posts, updates and replies; e-mails), not each function's result and AWS calls. */
  messagesOnly?: boolean;
}

export async function replayTimeline(
  timeline: Timeline,
  stage: string,
  settings: StageSettings,
  options: TimelineOptions = {},
): Promise<TimelineResult> {
  // Each step names its own changes to its event: the scenario's are for single-event replays.
  const worldOf = (ref: Timeline["scenario"]) => ({ ...readScenario(ref), eventOverrides: {} });
  const baseScenario = worldOf(timeline.scenario);
  const shared: ReplayShared = sharedMemory(baseScenario, stage);
  const names = { stage, app: APP_NAME, region: settings.region };
  const start = Date.parse(timeline.start);
  const events = timeline.steps.map((step, index) => {
    if (step.duplicateOf !== undefined) return null;
    const raw = JSON.parse(readFileSync(step.event, "utf8"));
    const time = new Date(start + step.after * 1000).toISOString();
    const event = withOverrides(raw, step.overrides, names) as Record<string, unknown>;
    const detail = event.detail as { state?: { timestamp?: string } } | undefined;
    if (detail?.state && typeof detail.state === "object") detail.state.timestamp = time;
    return { ...event, id: `timeline-${String(index).padStart(2, "0")}`, time };
  });
  datePreviousStates(events);
  // What CloudWatch would answer DescribeAlarms with: the timeline's own alarm changes, as far as raised by then.
  const alarmChanges = alarmChangesOf(events);
  const order = timeline.steps
    .map((step, index) => ({ step, index, at: step.deliveredAfter ?? step.after }))
    .sort((a, b) => a.at - b.at || a.index - b.index);

  const lines = [
    `Timeline on ${stage} (${settings.kind}, automation ${settings.automationMode}) from ${timeline.start}`,
    `Story: ${timeline.description}`,
  ];
  for (const { step, index, at } of order) {
    const event = events[step.duplicateOf ?? index];
    const scenario = step.scenario ? worldOf(step.scenario) : baseScenario;
    const label = step.duplicateOf !== undefined ? `again step ${step.duplicateOf} (a duplicate delivery)` : stepLabel(event, step.hook);
    const late = at !== step.after ? `, delivered at +${clock(at)}` : "";
    lines.push("", `━━ +${clock(step.after)}${late} · step ${index}: ${label} ${"━".repeat(20)}`);
    const before = shared.delivered.length;
    const deliveredAt = new Date(start + at * 1000);
    const alarmHistory = alarmChanges.filter((change) => change.at <= deliveredAt);
    const replayed = await replayStep({ stage, settings, event, scenario, hook: step.hook, shared, deliveredAt, alarmHistory });
    if ("unreceived" in replayed) lines.push(`Note: ${replayed.unreceived} The timeline goes on: this event reached no function.`);
    else lines.push(...(options.messagesOnly ? shared.delivered.slice(before).flatMap(readable) : replayed.lines.slice(2)));
  }
  const tally = count(shared.delivered, shared.table.withPk("notify#incident#").length);
  lines.push("", "━━ On-call got ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━", summary(tally));
  return { lines, tally };
}

/**
 * One step's replay. A real incident holds events no function of the stage receives (an RDS event on a stage
 * without a schedule, the other controller's events): AWS sends them and nothing happens, so the story goes on.
 */
async function replayStep(input: Parameters<typeof replay>[0]): Promise<{ lines: string[] } | { unreceived: string }> {
  try {
    return { lines: await replay(input) };
  } catch (error) {
    if (error instanceof RouteError) return { unreceived: error.message };
    throw error;
  }
}

/** What one notifier run put in front of on-call, as it reads. */
function readable({ slack, emails }: Delivered): string[] {
  const lines: string[] = [];
  for (const posted of slack) {
    const kind = posted.updated ? "update of" : posted.threadTs ? "thread reply in" : "message to";
    lines.push("", `Slack ${kind} ${posted.channel}:`, ...slackAsText(posted.payload).map((line) => `  │ ${line}`));
  }
  for (const email of emails) lines.push("", `E-mail: ${email.subject}`, ...email.body.split("\n").map((line) => `  │ ${line}`));
  return lines;
}

export function count(delivered: readonly Delivered[], incidents: number): Tally {
  const tally: Tally = {
    emails: { page: 0, escalation: 0, resolution: 0, reopened: 0, other: 0 },
    slack: { messages: 0, updates: 0, replies: 0 },
    incidents,
  };
  for (const { report, slack, emails } of delivered) {
    const reason = "emailReason" in report && report.emailReason ? report.emailReason : "other";
    tally.emails[reason] += emails.length;
    for (const post of slack) {
      if (post.updated) tally.slack.updates++;
      else if (post.threadTs) tally.slack.replies++;
      else tally.slack.messages++;
    }
  }
  return tally;
}

export function summary({ emails, slack, incidents }: Tally): string {
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const mail = [
    emails.page && `${emails.page} at start`,
    emails.escalation && `${emails.escalation} escalating`,
    emails.reopened && `${emails.reopened} back after its end`,
    emails.resolution && `${emails.resolution} at resolution`,
    emails.other && `${emails.other} outside any incident`,
  ].filter(Boolean);
  const total = Object.values(emails).reduce((a, b) => a + b, 0);
  return [
    `incidents: ${incidents}`,
    `pages: ${plural(total, "e-mail")}${mail.length ? ` (${mail.join(", ")})` : ""}`,
    `Slack: ${plural(slack.messages, "message")}, ${plural(slack.updates, "update")}, ${plural(slack.replies, "reply", "replies")}`,
  ].join("; ");
}

/** What a step delivers, in one line: an EventBridge event by its detail-type, or who invokes a hook or a handler and on what. */
export function stepLabel(event: unknown, hook?: string): string {
  const e = event as { "detail-type"?: string; detail?: Record<string, unknown> } & Record<string, unknown>;
  if (typeof e?.DeploymentId === "string" && "LifecycleEventHookExecutionId" in e)
    return ["CodeDeploy lifecycle hook", hook ?? "(the stage's first)", e.DeploymentId].join(" · ");
  if (typeof e?.lifecycleStage === "string") return `ECS lifecycle hook · ${e.lifecycleStage}`;
  if (e?.ResourceType === "Custom::Release") return `CloudFormation Custom::Release · ${String(e.RequestType)}`;
  if (typeof e?.action === "string" && !("source" in e)) return `schedule tick · ${e.action}`;
  const detail = e?.detail ?? {};
  const state = (detail.state as { value?: string } | undefined)?.value ?? (typeof detail.state === "string" ? detail.state : undefined);
  const what = (detail.alarmName ?? detail.deploymentId ?? detail.eventName ?? detail.lastStatus ?? "") as string;
  // ECS names its deployment events' phase only in eventName (in progress, a rollback in progress, completed).
  const phase = detail.eventName !== what ? (detail.eventName as string | undefined) : undefined;
  return [e?.["detail-type"], what, phase, state].filter(Boolean).join(" · ");
}

/** An offset as a person says it: "40 s", "5 min 10 s", "6 h", "2 h 5 min". */
export function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean);
  return parts.length ? parts.join(" ") : "0 s";
}

type AlarmShaped = { time: string; detail?: { alarmName?: unknown; previousState?: { timestamp?: string } } };

/**
 * An alarm's previousState.timestamp is when it entered its previous state (CloudWatch User Guide, "Alarm events
 * and EventBridge"): the time of the same alarm's previous change in the story, as AWS would write it, not the
 * sample's 2019 one. An alarm's first change in a story keeps the sample's.
 */
function datePreviousStates(events: (Record<string, unknown> | null)[]): void {
  const alarms = (events.filter((e) => e !== null) as AlarmShaped[]).filter(
    (e) => typeof e.detail?.alarmName === "string" && e.detail.previousState && typeof e.detail.previousState === "object",
  );
  for (const event of alarms) {
    const earlier = alarms
      .filter((other) => other.detail?.alarmName === event.detail?.alarmName && Date.parse(other.time) < Date.parse(event.time))
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
      .at(-1);
    const previous = event.detail?.previousState;
    if (earlier && previous) previous.timestamp = earlier.time;
  }
}
