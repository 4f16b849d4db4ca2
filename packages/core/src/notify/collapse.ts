import type { HistoryEntry } from "./render/text";

/** The run of repeated events behind one Slack message, as the state table keeps it. */
export interface CollapseTrail {
  key: string;
  history: HistoryEntry[];
  /** The Slack message showing the run, once it has been posted. */
  message: { channel: string; ts: string } | null;
  version: number;
  /** What e-mail readers (and a webhook channel, which cannot be updated) were last told: a problem, or its end. */
  told?: Told;
}

export type Told = "problem" | "resolved";

export type CollapseDecision =
  /** Quiet for longer than the window (or never seen): a new message, e-mailed per route. */
  | { kind: "new"; history: HistoryEntry[] }
  /**
   * Part of a run: update the run's message; e-mail once when the run starts repeating, and when it changes between
   * a problem and its resolution: an alarm back to OK is always told (the page ends), back in ALARM after that only
   * until the run is declared repeating (then Slack's one updated message carries the flapping).
   */
  | { kind: "update"; history: HistoryEntry[]; announceRepeats: boolean; changes: boolean };

/** The run length at which e-mail readers hear, once, that Slack now shows one updated message. */
export const REPEAT_NOTICE_AT = 3;
const KEPT = 20;

export function decideCollapse(trail: CollapseTrail | undefined, entry: HistoryEntry, windowMinutes: number, told: Told): CollapseDecision {
  const last = trail?.history.at(-1);
  const quietFor = last ? Date.parse(entry.at) - Date.parse(last.at) : Number.POSITIVE_INFINITY;
  if (!trail || !last || quietFor > windowMinutes * 60_000) return { kind: "new", history: [entry] };
  // Out-of-order deliveries still land in time order.
  const history = [...trail.history, entry].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-KEPT);
  // A late delivery of an older state does not change what the run is now.
  const latest = history.at(-1) === entry;
  const changes = latest && trail.told !== undefined && trail.told !== told && (told === "resolved" || history.length <= REPEAT_NOTICE_AT);
  return { kind: "update", history, announceRepeats: history.length === REPEAT_NOTICE_AT, changes };
}
