import type { ChatOpsAction } from "../settings/chatops";
import { clockOf, formatTime } from "../text/time";
import type { OpsMessage } from "./message";
import type { HistoryEntry } from "./render/text";

/**
 * The incident is the unit on-call deals with: one cause on a service, every
 * signal about it (its alarms, crashes, capacity and database events, hook
 * verdicts), what the automation, CodeDeploy and ECS did about it, and its
 * end. Each signal has a member key (`alarm:<name>`, `task:<revision>:crashed`,
 * `database:<instance>`); the notifier joins it to the incident its member
 * already belongs to, or to the service's open one (notify/correlate.ts). The
 * state table keeps one record per incident, so that duplicated and reordered
 * deliveries converge on one Slack message and one e-mail per change that
 * matters.
 */

/** A posted Slack message: its channel and timestamp, which Slack's updates and replies name it by. */
export interface SlackRef {
  channel: string;
  ts: string;
}

/** What e-mail readers were last told: a problem, or its end. */
export type Told = "problem" | "resolved";

/** One line of what was done about the incident, from the doer's own report. */
export interface StepEntry {
  at: string;
  text: string;
  eventId: string;
}

/**
 * What one member of the incident last said, by the time it happened (a late delivery of an older state changes
 * nothing). A lasting member (an alarm) has its own end; an episodic one (a crash, a failover) ends when the
 * incident's cause is dealt with: a step that ends it (the rollback succeeded) or an end of its own kind.
 */
export interface MemberState {
  told: Told;
  at: string;
  lasting: boolean;
}

export interface IncidentRecord {
  key: string;
  /** When the incident began (its earliest arrival). */
  openedAt: string;
  /** Its own events' states (ALARM, OK, a task's exit), in time order. */
  history: HistoryEntry[];
  /** What the automation and CodeDeploy did about it, in time order. */
  steps: StepEntry[];
  /**
   * The message the incident's Slack post shows: while it is a problem, the most severe of its open members' newest
   * messages (leadOf); once it has ended, its end; the first step until an event arrives.
   */
  lead: OpsMessage;
  /** Each member's newest own message, so that the incident can show an open member while another has ended. */
  memberLeads?: Record<string, OpsMessage>;
  /** The incident's Slack message, once posted. */
  message: SlackRef | null;
  version: number;
  told?: Told;
  /** A human was told to act (the automation failed, declined, or only rehearsed in dry-run). */
  escalated?: boolean;
  /** Its page went to e-mail, so its end does too (whatever the end's own severity routes to). */
  paged?: boolean;
  /** What the escalating step asked a person to do (the command to run by hand), shown until the incident ends. */
  call?: string;
  /** Each member's last state; absent on records written before members (the record's own key is then its only member). */
  members?: Record<string, MemberState>;
  /**
   * CodeDeploy, ECS or the automation stopped or rolled back the release (true), or that failed (false): while it
   * is handled, nothing asks a person to do it again and nothing escalates.
   */
  handled?: boolean;
  /** When its one reminder was posted (notify/remind.ts). */
  remindedAt?: string;
  /** A person took it from Slack: its returns are no longer e-mailed. */
  acknowledged?: { by: string; name: string; at: string };
  /** The buttons its Slack message carries: each a ticket the interactivity endpoint resolves (chatops/tickets.ts). */
  buttons?: { action: ChatOpsAction; ticketId: string }[];
}

export type Arrival =
  | { role: "event"; member: string; lasting: boolean; entry: HistoryEntry; told: Told; loopAt?: number; since?: string }
  | { role: "step"; entry: StepEntry; told: Told; escalates: boolean; handled?: boolean; ends?: boolean };

/** Why an arrival is e-mailed: the page, the call for a human, the end, or a return after the end. */
export type EmailReason = "page" | "escalation" | "resolution" | "reopened";

export interface IncidentDecision {
  /** A new incident: its first message is posted. */
  opened: boolean;
  /** The newest of the incident's own events: it becomes what the incident's message shows. */
  leads: boolean;
  email: EmailReason | null;
  history: HistoryEntry[];
  steps: StepEntry[];
  told: Told | undefined;
  escalated: boolean;
  openedAt: string;
  members: Record<string, MemberState>;
  handled: boolean | undefined;
}

const KEPT = 20;

/** "17:01 CET, 16:01 UTC"; in a UTC stage "16:01 UTC". */
function stepTime(at: string, timeZone: string): string {
  const clock = clockOf(at, timeZone);
  if (!clock) return at;
  return clock.zone === "UTC" ? `${clock.utc} UTC` : `${clock.local} ${clock.zone}, ${clock.utc} UTC`;
}

const byTime = <T extends { at: string }>(entries: T[]) => entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-KEPT);

/** When anything last happened in the incident: its newest event or step, or its opening. */
export function lastActivity(record: IncidentRecord): number {
  return Math.max(...[...record.history, ...record.steps].map((e) => Date.parse(e.at)), Date.parse(record.openedAt));
}

/** The members of a record, reading one written before members had its own key as its only one. */
function membersOf(record: IncidentRecord): Record<string, MemberState> {
  if (record.members) return record.members;
  const last = record.history.at(-1);
  return last && record.told ? { [record.key]: { told: record.told, at: last.at, lasting: true } } : {};
}

/**
 * What the incident as a whole tells: a problem while any of its alarms is in ALARM; once all its alarms have ended,
 * its end; with no alarm among its members, a problem until a step or an end of its own ends the episodic ones.
 */
export function toldOf(members: Record<string, MemberState>): Told | undefined {
  const states = Object.values(members);
  const lasting = states.filter((m) => m.lasting);
  const counted = lasting.length ? lasting : states;
  if (!counted.length) return undefined;
  return counted.some((m) => m.told === "problem") ? "problem" : "resolved";
}

/** The member's newer state replaces its older one; an older one, delivered late, changes nothing. */
function withMember(members: Record<string, MemberState>, member: string, state: MemberState): Record<string, MemberState> {
  const known = members[member];
  if (known && Date.parse(known.at) > Date.parse(state.at)) return members;
  return { ...members, [member]: state };
}

/** A step that ends the cause (the rollback succeeded) ends every episodic member that came before it. */
function endEpisodic(members: Record<string, MemberState>, at: string): Record<string, MemberState> {
  return Object.fromEntries(
    Object.entries(members).map(([key, m]) =>
      !m.lasting && Date.parse(m.at) <= Date.parse(at) ? [key, { ...m, told: "resolved" as const, at }] : [key, m],
    ),
  );
}

/**
 * Where an arrival goes and whom it tells. A new incident begins when none is
 * known, or when the last one was quiet for longer than the window and this
 * arrival is a new problem (an end, or a step, still belongs to an incident
 * nobody was told has ended, however late). E-mail goes out at most once per
 * change of what readers were told, plus one escalation: the page, the end,
 * a return after the end, and the first call for a human, unless the release
 * is already handled. Pure.
 */
export function decideIncident(record: IncidentRecord | undefined, arrival: Arrival, windowMinutes: number): IncidentDecision {
  const at = Date.parse(arrival.entry.at);
  // An end knows when its episode began (an OK's previousState): the incident began then, not when the end came.
  const began = arrival.role === "event" && arrival.since && Date.parse(arrival.since) < at ? arrival.since : arrival.entry.at;
  const quiet = record ? at - lastActivity(record) > windowMinutes * 60_000 : true;
  const stillOpen = record?.told === "problem" && (arrival.told === "resolved" || arrival.role === "step");
  if (!record || (quiet && !stillOpen)) {
    const escalated = arrival.role === "step" && arrival.escalates;
    return {
      opened: true,
      leads: true,
      email: arrival.told === "problem" ? "page" : "resolution",
      history: arrival.role === "event" ? [{ ...arrival.entry, member: arrival.member }] : [],
      steps: arrival.role === "step" ? [arrival.entry] : [],
      told: arrival.told,
      escalated,
      openedAt: began,
      members: arrival.role === "event" ? { [arrival.member]: { told: arrival.told, at: arrival.entry.at, lasting: arrival.lasting } } : {},
      handled: arrival.role === "step" ? arrival.handled : undefined,
    };
  }
  const openedAt = Date.parse(began) < Date.parse(record.openedAt) ? began : record.openedAt;
  const escalatedBefore = record.escalated ?? false;
  const members = membersOf(record);
  if (arrival.role === "step") {
    const handled = arrival.handled ?? record.handled;
    // Once the release is handled, a step that would call for a person (a rehearsal, a hold-back) has nothing to ask.
    const wanted = arrival.escalates && !(handled && arrival.handled === undefined);
    const after = arrival.ends ? endEpisodic(members, arrival.entry.at) : members;
    // An incident of steps alone (a hook's failure) ends with the step that ends its cause.
    const told = toldOf(after) ?? (arrival.ends ? "resolved" : record.told);
    const escalates = wanted && !escalatedBefore && told !== "resolved";
    const ended = record.told === "problem" && told === "resolved";
    return {
      opened: false,
      // A step leads only until the incident's own event arrives.
      leads: record.history.length === 0 && Date.parse(record.lead.occurredAt) <= at,
      email: escalates ? "escalation" : ended ? "resolution" : null,
      history: record.history,
      steps: byTime([...record.steps, arrival.entry]),
      told,
      escalated: escalatedBefore || escalates,
      openedAt,
      members: after,
      handled,
    };
  }
  const entry = { ...arrival.entry, member: arrival.member };
  const history = byTime([...record.history, entry]);
  // A late delivery of an older state does not change what the incident is now.
  const latestState = history.at(-1) === entry;
  const state = { told: arrival.told, at: arrival.entry.at, lasting: arrival.lasting };
  const after = withMember(members, arrival.member, state);
  const told = after !== members ? (toldOf(after) ?? arrival.told) : record.told;
  // Once a person has acknowledged it, a return after an end is theirs to see in Slack, not a new page.
  const changes = told !== record.told && !(record.acknowledged && told === "problem");
  const own = history.filter((h) => (h.member ?? record.key) === arrival.member).length;
  // Tasks that keep crashing call for a person, unless their release is already being rolled back.
  const loops = arrival.loopAt !== undefined && own >= arrival.loopAt && !escalatedBefore && !record.handled;
  return {
    opened: false,
    leads: latestState,
    email: changes ? (told === "resolved" ? "resolution" : "reopened") : loops ? "escalation" : null,
    history,
    steps: record.steps,
    told: changes ? told : record.told,
    escalated: escalatedBefore || loops,
    openedAt,
    members: after,
    handled: record.handled,
  };
}

const RANK: Record<OpsMessage["severity"], number> = { critical: 3, warning: 2, info: 1, resolved: 0 };

/**
 * What the incident's message leads with. While the incident is a problem, the newest event does not lead when it
 * says less than what is still open: one alarm's OK while another is in ALARM ("RESOLVED" on an open incident), a
 * crash (a warning) while the release's 5xx alarm (critical) still fires. The most severe open member's newest
 * message leads, the newer of two equal ones; with none known (a record of steps alone, or written before members
 * kept their messages), the newest. Pure.
 */
export function leadOf(
  told: Told | undefined,
  members: Record<string, MemberState>,
  memberLeads: Record<string, OpsMessage> | undefined,
  newest: OpsMessage,
): OpsMessage {
  if (told !== "problem" || !memberLeads) return newest;
  const open = Object.entries(members).flatMap(([key, m]) => {
    const lead = m.told === "problem" ? memberLeads[key] : undefined;
    return lead ? [lead] : [];
  });
  const [first] = open.sort((a, b) => RANK[b.severity] - RANK[a.severity] || Date.parse(b.occurredAt) - Date.parse(a.occurredAt));
  return first ?? newest;
}

/** The member's newest own message: an older state, delivered late, keeps the one it has. */
export function withMemberLead(
  memberLeads: Record<string, OpsMessage> | undefined,
  member: string,
  message: OpsMessage,
): Record<string, OpsMessage> {
  const known = memberLeads?.[member];
  if (known && Date.parse(known.occurredAt) > Date.parse(message.occurredAt)) return memberLeads;
  return { ...memberLeads, [member]: message };
}

/**
 * What the incident's Slack message shows: its lead, with what was done about
 * it (each line from the doer's own report), never what could happen.
 */
export function incidentView(
  record: Pick<IncidentRecord, "lead" | "steps" | "history" | "call" | "told" | "acknowledged" | "buttons" | "handled">,
): OpsMessage {
  const { lead, steps, acknowledged } = record;
  const open = record.told !== "resolved";
  // Once CodeDeploy, ECS or the automation stopped the release, the command to do so by hand could only fail.
  const called =
    record.call && open && !record.handled
      ? { severity: "critical" as const, title: `${lead.title}: a person must act`.slice(0, 140), nextStep: record.call }
      : {};
  // Each step with the time it ran, in the stage's zone with UTC beside.
  const done = steps.map((step) => `${step.text} (${stepTime(step.at, lead.timeZone)})`);
  // A step that leads is itself among the steps; an event's own actions (ECS restarting a task) stay.
  const own = record.history.length ? lead.actionsTaken : [];
  const facts = acknowledged
    ? [{ label: "Acknowledged", value: `by ${acknowledged.name} at ${formatTime(acknowledged.at, lead.timeZone)}` }, ...lead.facts]
    : lead.facts;
  // Buttons only while there is something left to press: an open incident nobody has taken yet.
  // Do it would stop a release that is already stopped: it goes once the release is handled.
  const buttons = open && !acknowledged ? (record.buttons ?? []).filter((b) => !(record.handled && b.action === "do-it")) : [];
  return { ...lead, actionsTaken: steps.length ? [...own, ...done].slice(-10) : lead.actionsTaken, facts, buttons, ...called };
}
