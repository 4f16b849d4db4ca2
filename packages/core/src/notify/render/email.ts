import { formatTime } from "../../text/time";
import { type OpsMessage, SEVERITY_LABEL } from "../message";
import { clip, type HistoryEntry, historyLine, repeats } from "./text";

/** SNS: "ASCII text that begins with a letter, number, or punctuation mark ... less than 100 characters". */
export const SUBJECT_MAX = 99;
/** SNS accepts 256 KB; a person reads far less. */
const BODY_MAX = 60_000;

export interface Email {
  subject: string;
  body: string;
}

export interface EmailRenderOptions {
  history?: readonly HistoryEntry[];
}

/** A plain-text e-mail that reads top to bottom like the Slack message: how bad, what, what was done, what to do. */
export function renderEmail(message: OpsMessage, options: EmailRenderOptions = {}): Email {
  const subject = clipAscii(`[${SEVERITY_LABEL[message.severity]}] ${message.stage} ${message.service}: ${message.title}`, SUBJECT_MAX);
  const lines: string[] = [
    `${SEVERITY_LABEL[message.severity]} - ${message.stage} - ${message.service}`,
    message.title,
    "",
    message.summary,
  ];
  // "Repeated" only when the problem came back (a flap, a crash again); one ALARM and its OK is one episode.
  if (options.history && repeats(options.history)) lines.push("", `Repeated: ${historyLine(options.history, message.timeZone)}`);
  if (message.actionsTaken.length) lines.push("", "What the automation did", ...message.actionsTaken.map((a) => `  - ${a}`));
  if (message.nextStep) lines.push("", "Next step", `  ${message.nextStep}`);
  if (message.facts.length) {
    const width = Math.min(24, Math.max(...message.facts.map((f) => f.label.length)) + 1);
    lines.push(
      "",
      "Details",
      ...message.facts.map((f) => `  ${`${f.label}:`.padEnd(width + 1)} ${indentContinuation(f.value, width + 4)}`),
    );
  }
  if (message.excerpt) lines.push("", "Event (excerpt)", ...message.excerpt.split("\n").map((l) => `  ${l}`));
  if (message.links.length) lines.push("", "Links", ...message.links.map((l) => `  ${l.label}: ${l.url}`));
  lines.push(
    "",
    "--",
    `${message.source.detailType}, event ${message.source.eventId}, at ${formatTime(message.occurredAt, message.timeZone)}${message.account ? `, AWS account ${message.account}` : ""}.`,
    "Sent by the hands-off-ops notifier.",
  );
  return { subject, body: clip(lines.join("\n"), BODY_MAX) };
}

const ASCII_REPLACEMENTS: [RegExp, string][] = [
  [/→/g, "->"],
  [/…/g, "..."],
  [/[·•]/g, "-"],
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/[–—]/g, "-"],
];

/** Printable ASCII only, one line, at most `max` characters. */
export function clipAscii(value: string, max: number): string {
  let ascii = value;
  for (const [pattern, replacement] of ASCII_REPLACEMENTS) ascii = ascii.replace(pattern, replacement);
  ascii = ascii
    .replace(/\s+/g, " ")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/ {2,}/g, " ")
    .trim();
  return ascii.length <= max ? ascii : `${ascii.slice(0, max - 3).trimEnd()}...`;
}

function indentContinuation(value: string, indent: number): string {
  return value.split("\n").join(`\n${" ".repeat(indent)}`);
}
