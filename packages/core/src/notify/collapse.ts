import type { HistoryEntry } from "./render/text";

/** The run of repeated events behind one Slack message, as the state table keeps it. */
export interface CollapseTrail {
  key: string;
  history: HistoryEntry[];
  /** The Slack message showing the run, once it has been posted. */
  message: { channel: string; ts: string } | null;
  version: number;
}

export type CollapseDecision =
  /** Quiet for longer than the window (or never seen): a new message, e-mailed per route. */
  | { kind: "new"; history: HistoryEntry[] }
  /** Part of a run: update the run's message; e-mail only once, when the run starts repeating. */
  | { kind: "update"; history: HistoryEntry[]; announceRepeats: boolean };

/** The run length at which e-mail readers hear, once, that Slack now shows one updated message. */
export const REPEAT_NOTICE_AT = 3;
const KEPT = 20;

export function decideCollapse(trail: CollapseTrail | undefined, entry: HistoryEntry, windowMinutes: number): CollapseDecision {
  const last = trail?.history.at(-1);
  const quietFor = last ? Date.parse(entry.at) - Date.parse(last.at) : Number.POSITIVE_INFINITY;
  if (!trail || !last || quietFor > windowMinutes * 60_000) return { kind: "new", history: [entry] };
  // Out-of-order deliveries still land in time order.
  const history = [...trail.history, entry].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-KEPT);
  return { kind: "update", history, announceRepeats: history.length === REPEAT_NOTICE_AT };
}
