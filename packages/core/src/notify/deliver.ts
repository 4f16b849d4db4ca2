import type { ChatOpsAction } from "../settings/chatops";
import type { NotificationSettings } from "../settings/schema";
import { formatTime } from "../text/time";
import { correlate } from "./correlate";
import type { SlackRef } from "./incident";
import {
  type Arrival,
  type EmailReason,
  type IncidentDecision,
  type IncidentRecord,
  incidentView,
  leadOf,
  type Told,
  withMemberLead,
} from "./incident";
import { type IncidentTag, incidentScope, type OpsMessage } from "./message";
import type { ButtonIssuer, DeliveryPorts, NotifyStore, SlackPort } from "./ports";
import { renderEmail } from "./render/email";
import { renderSlack, type SlackPayload } from "./render/slack";
import { route } from "./route";

export type SlackOutcome = "posted" | "replied" | "updated" | "collapsed" | "not-routed" | "not-configured" | "failed";

export interface DeliveryReport {
  eventId: string;
  /** "in-incident": the incident's readers were already told what this message says (its page is out). */
  email: "sent" | "in-incident" | "not-routed" | "failed";
  slack: SlackOutcome;
  /** What happened to the metric graph, when the message has one. */
  graph: "attached" | "none" | `failed: ${string}`;
  /** Whether the message opened an incident, joined one, or belongs to none; and why it was e-mailed. */
  incident: "opened" | "joined" | "no";
  emailReason?: EmailReason;
}

/** Raised after every channel was tried, so that the event is retried and, in the end, lands in the dead-letter queue. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    readonly report: DeliveryReport,
    readonly causes: Error[],
  ) {
    super(`Delivery of event ${report.eventId} failed: ${causes.map((c) => `${c.name}: ${c.message}`).join("; ")}`);
  }
}

/** What the log says of a failed delivery: the report of every channel tried, or the event beside an error nobody expected. */
export function deliveryFailure(error: unknown, eventId: string) {
  return error instanceof DeliveryError ? { report: error.report, error } : { eventId, error: error as Error };
}

const PLAN_ATTEMPTS = 5;
/** Attempts that wait for a concurrent delivery to write the incident it has just claimed. */
const OPENING_WAITS = 2;

/**
 * Sends one message where the stage's settings route it. A message of an
 * incident first updates the incident's record; the record says whether it
 * opens the incident (posted, e-mailed as the page), joins it (a thread reply
 * and an update of the incident's message) or changes what e-mail readers
 * must know (its end, a return, a call for a human). E-mail goes first and
 * does not depend on Slack; each channel is idempotent per event id, so a
 * retry after a Slack outage posts to Slack without e-mailing twice.
 */
export async function deliver(message: OpsMessage, ports: DeliveryPorts, settings: NotificationSettings): Promise<DeliveryReport> {
  const id = message.source.eventId;
  const where = route(message, settings);
  const tag = message.incident;
  const report: DeliveryReport = { eventId: id, email: "not-routed", slack: "not-routed", graph: "none", incident: "no" };
  if (!tag && !where.email && !where.slackChannel) return report;
  // Buttons need a message that can be updated once pressed: the Web API, not a webhook.
  const buttons = ports.slack?.canThread ? (ports.buttons ?? null) : null;
  const plan = tag
    ? await ports.once.run(`${id}:incident`, () => planIncident(ports.store, message, tag, settings, where.email, buttons))
    : null;
  if (plan) {
    report.incident = plan.opened ? "opened" : "joined";
    if (plan.email) report.emailReason = plan.email;
  }
  const causes: Error[] = [];

  // An incident whose page was e-mailed has its escalation and its end e-mailed too, whatever their own severity.
  // An escalation calls for a person: it goes where critical messages go.
  const escalationRouted = plan?.email === "escalation" && route({ severity: "critical" }, settings).email;
  const emailed = plan ? plan.email !== null && (where.email || plan.paged || escalationRouted) : where.email;
  if (emailed) {
    try {
      await ports.once.run(`${id}:email`, async () => {
        await ports.email.send(await emailOf(message, plan, ports.store));
        return { sent: true };
      });
      report.email = "sent";
    } catch (error) {
      report.email = "failed";
      causes.push(error as Error);
    }
  } else if (where.email) report.email = "in-incident";

  const slackWanted = where.slackChannel !== null || (plan !== null && !plan.opened);
  if (slackWanted && !ports.slack) report.slack = where.slackChannel ? "not-configured" : "not-routed";
  else if (slackWanted && ports.slack) {
    const slack = ports.slack;
    try {
      const outcome = await ports.once.run(`${id}:slack`, () => toSlack(message, where.slackChannel, slack, ports, plan));
      report.slack = outcome.slack;
      if (outcome.graph) report.graph = outcome.graph;
    } catch (error) {
      report.slack = "failed";
      causes.push(error as Error);
    }
  }

  if (causes.length) throw new DeliveryError(report, causes);
  return report;
}

/** What one arrival did to its incident, kept (as JSON) with the event's idempotency record. */
interface IncidentPlan {
  key: string;
  opened: boolean;
  email: EmailReason | null;
  paged: boolean;
  openedAt: string;
}

async function planIncident(
  store: NotifyStore,
  message: OpsMessage,
  tag: IncidentTag,
  settings: NotificationSettings,
  emailRouted: boolean,
  buttons: ButtonIssuer | null,
): Promise<IncidentPlan> {
  const told: Told = message.severity === "resolved" ? "resolved" : "problem";
  const arrival: Arrival =
    tag.role === "event"
      ? {
          role: "event",
          member: tag.key,
          lasting: tag.lasting ?? false,
          entry: { state: tag.state, at: message.occurredAt },
          told,
          ...(tag.loopAt ? { loopAt: tag.loopAt } : {}),
          ...(tag.since ? { since: tag.since } : {}),
        }
      : {
          role: "step",
          entry: { at: message.occurredAt, text: tag.did, eventId: message.source.eventId },
          told,
          escalates: tag.escalates,
          ...(tag.handled !== undefined ? { handled: tag.handled } : {}),
          ...(tag.ends ? { ends: true } : {}),
        };
  const service = incidentScope(message);
  // A button's ticket is issued once, whatever attempts a concurrent writer forces.
  const tickets = new Map<string, string>();
  const ticketFor = async (action: ChatOpsAction, subject: string, issuer: ButtonIssuer) => {
    const known = tickets.get(`${action} ${subject}`);
    if (known) return known;
    const issued = await issuer.issue(action, subject);
    tickets.set(`${action} ${subject}`, issued);
    return issued;
  };
  for (let attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
    const ownKey = (await store.memberOf(tag.key)) ?? tag.key;
    const own = await store.incident(ownKey);
    const latestKey = await store.latestOf(service);
    const latest = latestKey === undefined || latestKey === ownKey ? undefined : await store.incident(latestKey);
    if (latestKey !== undefined && latestKey !== ownKey && !latest && attempt < OPENING_WAITS) {
      // The service's newest incident is being opened by a concurrent delivery: its record follows its claim. A claim
      // whose record never came (its delivery died in between) is claimed over after these waits.
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      continue;
    }
    const joined = correlate({ own, latest }, arrival, settings.collapseWindowMinutes);
    const { decision } = joined;
    // A new incident takes the member's own key; a record left there by an earlier incident is replaced.
    const record = joined.kind === "join" ? joined.record : ownKey === tag.key ? own : await store.incident(tag.key);
    const key = joined.kind === "join" ? joined.record.key : tag.key;
    if (joined.kind === "open" && !(await store.claimLatest(service, key, latestKey))) continue;
    // What the incident carries over from its record; a new incident starts afresh.
    const previous = joined.kind === "join" ? joined.record : undefined;
    const paged = previous ? (previous.paged ?? false) : decision.email === "page" && emailRouted;
    const kept = previous?.buttons ?? [];
    const offered = tag.role === "step" ? tag.offers : undefined;
    // Acknowledge takes the incident; Do it carries out the decision on the step's own alarm.
    const wanted: [ChatOpsAction, string][] = [
      ...(decision.opened && told === "problem" ? [["acknowledge", key] as [ChatOpsAction, string]] : []),
      ...(offered && !kept.some((b) => b.action === offered) ? [[offered, tag.key] as [ChatOpsAction, string]] : []),
    ];
    const issued = buttons
      ? await Promise.all(wanted.map(async ([action, subject]) => ({ action, ticketId: await ticketFor(action, subject, buttons) })))
      : [];
    const memberLeads = tag.role === "event" ? withMemberLead(previous?.memberLeads, tag.key, message) : previous?.memberLeads;
    // A step that ends the incident (a rollback's success, ECS's steady state) is what its message shows from then on.
    const endedByStep = tag.role === "step" && decision.email === "resolution";
    const newest = endedByStep ? { ...message, severity: "resolved" as const } : decision.leads || !previous ? message : previous.lead;
    const next: IncidentRecord = {
      key,
      openedAt: decision.openedAt,
      history: decision.history,
      steps: decision.steps,
      lead: leadOf(decision.told, decision.members, memberLeads, newest),
      ...(memberLeads ? { memberLeads } : {}),
      message: previous?.message ?? null,
      version: (record?.version ?? 0) + 1,
      ...(decision.told ? { told: decision.told } : {}),
      escalated: decision.escalated,
      paged,
      members: decision.members,
      ...(decision.handled !== undefined ? { handled: decision.handled } : {}),
      ...callOf(decision, previous, message),
      ...(kept.length + issued.length ? { buttons: [...kept, ...issued] } : {}),
      ...(previous?.acknowledged ? { acknowledged: previous.acknowledged } : {}),
    };
    if (await store.saveIncident(next, record?.version)) {
      if (ownKey !== key || !own) await store.joinMember(tag.key, key);
      if (tag.role === "step")
        for (const { deploymentId, part } of tag.deployments) await store.linkDeployment(deploymentId, { key, part });
      return { key, opened: decision.opened, email: decision.email, paged, openedAt: decision.openedAt };
    }
  }
  throw new Error(`The incident of ${tag.key} changed under ${PLAN_ATTEMPTS} attempts in a row`);
}

/** The escalating step's next step stays on the incident's message until it ends; a new incident starts without one. */
function callOf(decision: IncidentDecision, previous: IncidentRecord | undefined, message: OpsMessage): { call?: string } {
  if (previous?.call) return { call: previous.call };
  return decision.escalated && !previous?.escalated && message.nextStep ? { call: message.nextStep } : {};
}

const EMAIL_REASON: Record<EmailReason, string> = {
  page: "Opened",
  escalation: "Escalated: a person must act",
  resolution: "Resolved",
  reopened: "Back after it had ended",
};

/**
 * The page is the message itself; an escalation is the step that calls for a
 * human (it says what to do by hand); an end or a return shows the incident as
 * a whole: its last state, its timeline and everything that was done about it.
 */
async function emailOf(message: OpsMessage, plan: IncidentPlan | null, store: NotifyStore) {
  if (!plan?.email) return renderEmail(message);
  // A step that escalates says itself what to do by hand; an incident that escalates on its own events (a crash
  // loop) is shown whole, with its count.
  const record = plan.email === "escalation" && message.incident?.role === "step" ? undefined : await store.incident(plan.key);
  const shown = record ? incidentView({ ...record, lead: message.incident?.role === "event" ? message : record.lead }) : message;
  const fact = {
    label: "Incident",
    value: `${EMAIL_REASON[plan.email]}. ${plan.key}, opened ${formatTime(plan.openedAt, message.timeZone)}`,
  };
  return renderEmail({ ...shown, facts: [fact, ...shown.facts].slice(0, 40) }, { history: record?.history });
}

interface SlackResult {
  slack: SlackOutcome;
  graph?: DeliveryReport["graph"];
}

async function toSlack(
  message: OpsMessage,
  channel: string | null,
  slack: SlackPort,
  ports: DeliveryPorts,
  plan: IncidentPlan | null,
): Promise<SlackResult> {
  if (!plan) {
    const payload = renderSlack(await withOffers(message, slack.canThread ? (ports.buttons ?? null) : null));
    if (message.thread && slack.canThread && channel) return inThread(message, channel, payload, slack, ports.store);
    if (!channel) return { slack: "not-routed" };
    const posted = await slack.post({ channel, payload });
    return posted && message.graph && slack.canThread
      ? { slack: "posted", graph: await attachGraph(message, posted, slack, ports) }
      : { slack: "posted" };
  }

  const payload = renderSlack(message);
  if (!slack.canThread) {
    // A webhook cannot update or thread: it posts what e-mail readers are told (the page, an escalation, the end).
    if (!channel) return { slack: "not-routed" };
    if (!plan.opened && !plan.email) return { slack: "collapsed" };
    await slack.post({ channel, payload });
    return { slack: "posted" };
  }

  // The incident's message may have been posted after this arrival's plan was made.
  const record = await ports.store.incident(plan.key);
  const existing = plan.opened ? null : (record?.message ?? null);
  if (existing && record) {
    // On-call reads the incident in its own thread; a release's thread, where one exists, keeps its record too.
    await slack.post({ channel: existing.channel, payload, threadTs: existing.ts });
    if (message.thread) await alsoInReleaseThread(message, payload, slack, ports.store);
    await slack.update(existing, renderSlack(incidentView(record), { history: record.history }));
    return { slack: "replied" };
  }
  if (!channel) return { slack: "not-routed" };
  const shown = record ? incidentView(record) : message;
  const posted = await slack.post({ channel, payload: renderSlack(shown, { history: record?.history }) });
  if (posted) await ports.store.attachMessage(plan.key, posted);
  if (message.thread) await alsoInReleaseThread(message, payload, slack, ports.store);
  if (!posted || !message.graph) return { slack: "posted" };
  return { slack: "posted", graph: await attachGraph(message, posted, slack, ports) };
}

/** A message's offered buttons, each with a ticket issued for what it acts on; none where clicks cannot come back. */
async function withOffers(message: OpsMessage, issuer: ButtonIssuer | null): Promise<OpsMessage> {
  if (!message.offers?.length || !issuer) return message;
  const buttons = await Promise.all(
    message.offers.map(async ({ action, subject, label, endsAt }) => ({
      action,
      ticketId: await issuer.issue(action, subject, endsAt),
      ...(label ? { label } : {}),
    })),
  );
  return { ...message, buttons: [...(message.buttons ?? []), ...buttons] };
}

/** A step of an incident, recorded quietly in its release's thread when that thread exists (no broadcast, no new thread). */
async function alsoInReleaseThread(message: OpsMessage, payload: SlackPayload, slack: SlackPort, store: NotifyStore) {
  const { deploymentId, role } = message.thread as NonNullable<OpsMessage["thread"]>;
  const parent = await store.thread(deploymentId);
  if (!parent) return;
  await slack.post({ channel: parent.channel, payload, threadTs: parent.ts });
  if (role === "outcome") await slack.update(parent, payload);
}

async function inThread(
  message: OpsMessage,
  channel: string,
  payload: SlackPayload,
  slack: SlackPort,
  store: NotifyStore,
): Promise<SlackResult> {
  const { deploymentId, role } = message.thread as NonNullable<OpsMessage["thread"]>;
  let parent = await store.thread(deploymentId);
  if (!parent) {
    // The first message of a deployment to arrive (normally its start) becomes the thread's parent.
    const posted = await slack.post({ channel, payload });
    if (!posted) throw new Error("Slack did not return the posted message's timestamp");
    const winner = await store.claimThread(deploymentId, { ...posted, routedTo: channel });
    if (winner.channel === posted.channel && winner.ts === posted.ts) return { slack: "posted" };
    // Another delivery of this deployment started the thread at the same moment: keep one.
    await slack.remove(posted);
    parent = winner;
  }
  const urgent = message.severity === "critical";
  await slack.post({ channel: parent.channel, payload, threadTs: parent.ts, broadcast: urgent });
  if (role === "outcome") await slack.update(parent, payload);
  // A thread lives where the release started; a message routed elsewhere (on-call) is also posted there.
  if (channel !== parent.routedTo) await slack.post({ channel, payload });
  return { slack: "replied" };
}

async function attachGraph(
  message: OpsMessage,
  posted: SlackRef,
  slack: SlackPort,
  ports: DeliveryPorts,
): Promise<DeliveryReport["graph"]> {
  if (!message.graph) return "none";
  try {
    const png = await ports.graphs.render(message.graph);
    await slack.uploadImage(posted, png, message.graph.title);
    return "attached";
  } catch (error) {
    // The message itself is out; a missing picture is not worth a retry that would post twice.
    return `failed: ${(error as Error).name}: ${(error as Error).message}`;
  }
}
