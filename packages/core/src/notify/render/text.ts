import { humanDuration } from "../../text/duration";

/** Cut to at most `max` characters without splitting a character in two, marking the cut with "…". */
export function clip(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** A collapsed run of events, oldest first, as one line: "ALARM 17:04 → OK 17:09 → ALARM 17:12 (3 changes in 8 min)". */
export interface HistoryEntry {
  state: string;
  at: string;
}

const SHOWN = 6;

export function historyLine(history: readonly HistoryEntry[]): string {
  const shown = history.slice(-SHOWN).map((h) => `${h.state} ${h.at.slice(11, 16)}`);
  const first = history[0];
  const last = history.at(-1);
  const span = first && last ? humanDuration(Date.parse(last.at) - Date.parse(first.at)) : "0 s";
  const earlier = history.length > SHOWN ? "… → " : "";
  return `${earlier}${shown.join(" → ")} (${history.length} events in ${span}, UTC)`;
}
