import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from "@slack/types";
import { actionId } from "../../chatops/interaction";
import type { ChatOpsAction } from "../../settings/chatops";
import { formatTime } from "../../text/time";
import { type OpsMessage, SEVERITY_LABEL, type Severity } from "../message";
import { clip, type HistoryEntry, historyLine, repeats } from "./text";

/** Block Kit limits (docs.slack.dev, "Block Kit reference"). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  buttons: 25,
  buttonText: 75,
  url: 3000,
  fallbackText: 3000,
} as const;

export interface SlackPayload {
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  blocks: KnownBlock[];
}

export const BUTTON_LABEL: Record<ChatOpsAction, string> = {
  acknowledge: "Acknowledge",
  "do-it": "Do it",
  "roll-back": "Roll back",
  "finish-now": "Finish now",
  "keep-awake": "Keep awake 2 h",
  approve: "Approve",
  reject: "Reject",
};
/** Buttons that undo or refuse a release are shown as such. */
const DANGER: ReadonlySet<ChatOpsAction> = new Set(["roll-back", "reject"]);

export const SEVERITY_ICON: Record<Severity, string> = { critical: "🚨", warning: "⚠️", info: "ℹ️", resolved: "✅" };

export interface SlackRenderOptions {
  /** Earlier events collapsed into this message, oldest first. */
  history?: readonly HistoryEntry[];
}

/**
 * One message readable in five seconds: the header says how bad, where and
 * what; the first line says why it matters; then what the automation already
 * did and what to do next; details and buttons after that.
 */
export function renderSlack(message: OpsMessage, options: SlackRenderOptions = {}): SlackPayload {
  const header = `${SEVERITY_ICON[message.severity]} ${SEVERITY_LABEL[message.severity]} · ${message.stage} · ${message.title}`;
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(header, SLACK_LIMITS.headerText), emoji: true } },
    section(message.summary),
  ];
  // "Repeated" only when the problem came back (a flap, a crash again); one ALARM and its OK is one episode.
  if (options.history && repeats(options.history)) blocks.push(context(`🔁 Repeated: ${historyLine(options.history, message.timeZone)}`));
  if (message.actionsTaken.length)
    blocks.push(section(`*What the automation did:*\n${message.actionsTaken.map((a) => `• ${escapeMrkdwn(a)}`).join("\n")}`, false));
  if (message.nextStep) blocks.push(section(`*Next step:* ${escapeMrkdwn(message.nextStep)}`, false));
  for (let i = 0; i < message.facts.length; i += SLACK_LIMITS.fields) {
    const fields = message.facts.slice(i, i + SLACK_LIMITS.fields).map((fact) => ({
      type: "mrkdwn" as const,
      text: clip(`*${escapeMrkdwn(fact.label)}*\n${escapeMrkdwn(fact.value)}`, SLACK_LIMITS.fieldText),
    }));
    blocks.push({ type: "section", fields });
  }
  if (message.excerpt) blocks.push(section(`\`\`\`${clip(escapeMrkdwn(message.excerpt), SLACK_LIMITS.sectionText - 6)}\`\`\``, false));
  const acting: Button[] = (message.buttons ?? []).map(({ action, ticketId, label }) => ({
    type: "button",
    text: { type: "plain_text", text: clip(label ?? BUTTON_LABEL[action], SLACK_LIMITS.buttonText) },
    action_id: actionId(action),
    value: ticketId,
    style: DANGER.has(action) ? "danger" : "primary",
  }));
  const links: Button[] = message.links
    .filter((link) => link.url.length <= SLACK_LIMITS.url)
    .slice(0, SLACK_LIMITS.buttons)
    .map((link, i) => ({
      type: "button",
      text: { type: "plain_text", text: clip(link.label, SLACK_LIMITS.buttonText) },
      url: link.url,
      action_id: `link-${i}`,
    }));
  const buttons = [...acting, ...links].slice(0, SLACK_LIMITS.buttons);
  if (buttons.length) blocks.push({ type: "actions", elements: buttons } satisfies ActionsBlock);
  blocks.push(
    context(
      `${message.service} · ${message.stage}${message.account ? ` (account ${message.account})` : ""} · ${message.source.detailType} · ${formatTime(message.occurredAt, message.timeZone)} · event ${message.source.eventId}`,
    ),
  );

  return {
    text: clip(`${SEVERITY_LABEL[message.severity]} ${message.stage}: ${message.title} — ${message.summary}`, SLACK_LIMITS.fallbackText),
    blocks: withinBlockLimit(blocks),
  };
}

function section(text: string, escaped = true): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(escaped ? escapeMrkdwn(text) : text, SLACK_LIMITS.sectionText) } };
}

function context(text: string): ContextBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: clip(escapeMrkdwn(text), SLACK_LIMITS.sectionText) }] };
}

/** Keeps the header, the summary and the footer; drops detail blocks from the middle if there are too many. */
function withinBlockLimit(blocks: KnownBlock[]): KnownBlock[] {
  if (blocks.length <= SLACK_LIMITS.blocks) return blocks;
  const footer = blocks.at(-1) as KnownBlock;
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 2);
  return [
    ...kept,
    context(`… ${blocks.length - kept.length - 1} more blocks left out (Slack shows at most ${SLACK_LIMITS.blocks})`),
    footer,
  ];
}

/** Slack's mrkdwn reserves &, < and > for its own markup. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
