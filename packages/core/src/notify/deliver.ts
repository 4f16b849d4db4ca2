import type { NotificationSettings } from "../settings/schema";
import { type CollapseDecision, type CollapseTrail, decideCollapse, type Told } from "./collapse";
import type { OpsMessage } from "./message";
import type { EmailPort, GraphPort, NotifyStore, OncePort, SlackPort, SlackRef } from "./ports";
import { renderEmail } from "./render/email";
import { renderSlack, type SlackPayload } from "./render/slack";
import type { HistoryEntry } from "./render/text";
import { route } from "./route";

export interface DeliveryPorts {
  /** null when no Slack token or webhook has been configured for the stage yet. */
  slack: SlackPort | null;
  email: EmailPort;
  graphs: GraphPort;
  store: NotifyStore;
  once: OncePort;
}

export type SlackOutcome = "posted" | "replied" | "updated" | "collapsed" | "not-routed" | "not-configured" | "failed";

export interface DeliveryReport {
  eventId: string;
  email: "sent" | "collapsed" | "not-routed" | "failed";
  slack: SlackOutcome;
  /** What happened to the metric graph, when the message has one. */
  graph: "attached" | "none" | `failed: ${string}`;
  collapsed: CollapseDecision["kind"] | "no";
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

const COLLAPSE_ATTEMPTS = 5;

/**
 * Sends one message where the stage's settings route it. E-mail goes first
 * and does not depend on Slack; each channel is idempotent per event id, so a
 * retry after a Slack outage posts to Slack without e-mailing twice.
 */
export async function deliver(message: OpsMessage, ports: DeliveryPorts, settings: NotificationSettings): Promise<DeliveryReport> {
  const id = message.source.eventId;
  const where = route(message, settings);
  if (!where.email && !where.slackChannel) return { eventId: id, email: "not-routed", slack: "not-routed", graph: "none", collapsed: "no" };
  const { collapse } = message;
  const told: Told = message.severity === "resolved" ? "resolved" : "problem";
  const plan = collapse
    ? await ports.once.run(`${id}:collapse`, () =>
        planCollapse(ports.store, collapse.key, { state: collapse.state, at: message.occurredAt }, settings, told),
      )
    : null;
  const history = plan?.decision.history;
  const report: DeliveryReport = {
    eventId: id,
    email: "not-routed",
    slack: "not-routed",
    graph: "none",
    collapsed: plan?.decision.kind ?? "no",
  };
  const causes: Error[] = [];

  if (where.email) {
    const wanted = !plan || plan.decision.kind === "new" || plan.decision.announceRepeats || plan.decision.changes;
    if (!wanted) report.email = "collapsed";
    else {
      try {
        await ports.once.run(`${id}:email`, async () => {
          await ports.email.send(renderEmail(message, { history }));
          return { sent: true };
        });
        report.email = "sent";
      } catch (error) {
        report.email = "failed";
        causes.push(error as Error);
      }
    }
  }

  if (where.slackChannel && !ports.slack) report.slack = "not-configured";
  else if (where.slackChannel && ports.slack) {
    const slack = ports.slack;
    const channel = where.slackChannel;
    try {
      const outcome = await ports.once.run(`${id}:slack`, () => toSlack(message, channel, slack, ports, plan, history));
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

interface CollapsePlan {
  decision: CollapseDecision;
  message: SlackRef | null;
}

async function planCollapse(
  store: NotifyStore,
  key: string,
  entry: HistoryEntry,
  settings: NotificationSettings,
  told: Told,
): Promise<CollapsePlan> {
  for (let attempt = 0; attempt < COLLAPSE_ATTEMPTS; attempt++) {
    const trail = await store.trail(key);
    const decision = decideCollapse(trail, entry, settings.collapseWindowMinutes, told);
    const tells = decision.kind === "new" || decision.changes || decision.announceRepeats;
    const next: CollapseTrail = {
      key,
      history: decision.history,
      message: decision.kind === "update" ? (trail?.message ?? null) : null,
      version: (trail?.version ?? 0) + 1,
      ...(tells ? { told } : trail?.told ? { told: trail.told } : {}),
    };
    if (await store.saveTrail(next, trail?.version)) return { decision, message: next.message };
  }
  throw new Error(`The collapse trail ${key} changed under ${COLLAPSE_ATTEMPTS} attempts in a row`);
}

interface SlackResult {
  slack: SlackOutcome;
  graph?: DeliveryReport["graph"];
}

async function toSlack(
  message: OpsMessage,
  channel: string,
  slack: SlackPort,
  ports: DeliveryPorts,
  plan: CollapsePlan | null,
  history: HistoryEntry[] | undefined,
): Promise<SlackResult> {
  const payload = renderSlack(message, { history });
  if (message.thread && slack.canThread) return inThread(message, channel, payload, slack, ports.store);

  if (plan?.decision.kind === "update") {
    // The run's first message may have been posted after this event's plan was made.
    const existing = plan.message ?? (await ports.store.trail(message.collapse?.key ?? ""))?.message ?? null;
    if (existing && slack.canThread) {
      await slack.update(existing, payload);
      return { slack: "updated" };
    }
    // A webhook cannot update: stay quiet except for the one notice that the event repeats, and a change between a
    // problem and its resolution (otherwise the channel would never hear that the alarm is back to OK).
    if (!plan.decision.announceRepeats && !plan.decision.changes) return { slack: "collapsed" };
  }

  const posted = await slack.post({ channel, payload });
  if (posted && message.collapse) await ports.store.attachMessage(message.collapse.key, posted);
  if (!posted || !message.graph || !slack.canThread) return { slack: "posted" };
  return { slack: "posted", graph: await attachGraph(message, posted, slack, ports) };
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
