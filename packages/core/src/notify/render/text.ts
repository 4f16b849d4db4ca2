import { humanDuration } from "../../text/duration";
import { clockOf } from "../../text/time";

/** Cut to at most `max` characters without splitting a character in two, marking the cut with "…". */
export function clip(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** One of an incident's own events: its state (ALARM, OK, a task's exit) and when it happened. */
export interface HistoryEntry {
  state: string;
  at: string;
  /** The incident's member it is about (an alarm, a revision's crashes), when the incident has several. */
  member?: string;
}

/** States that say the problem is not (or no longer) signalled: an alarm's end, or its lack of data. */
const NOT_A_PROBLEM: ReadonlySet<string> = new Set(["OK", "INSUFFICIENT_DATA"]);

/**
 * Whether the incident's problem happened more than once: an alarm that went
 * ALARM → OK → ALARM, tasks that crashed again. A single ALARM and its OK (in
 * any order of arrival) is one episode, not a repeat. Pure.
 */
export function repeats(history: readonly HistoryEntry[]): boolean {
  // Two alarms of one cause, each in ALARM once, are no repeat: each member counts its own.
  const problems = new Map<string, number>();
  for (const entry of history) {
    if (NOT_A_PROBLEM.has(entry.state)) continue;
    const member = entry.member ?? "";
    const count = (problems.get(member) ?? 0) + 1;
    if (count > 1) return true;
    problems.set(member, count);
  }
  return false;
}

/** "Alb5xxRate ALARM" for an alarm member of an incident with several; other members' states name themselves. */
function stateOf(entry: HistoryEntry, several: boolean): string {
  const alarm = several && entry.member?.startsWith("alarm:") ? entry.member.slice("alarm:".length).split("-").at(-1) : undefined;
  return alarm ? `${alarm} ${entry.state}` : entry.state;
}

const SHOWN = 6;

/**
 * A collapsed run of events, oldest first, as one line in the stage's zone with UTC beside:
 * "ALARM 19:04 → OK 19:09 → ALARM 19:12 (3 events in 8 min, CEST; 17:04 → 17:09 → 17:12 UTC)";
 * in a UTC stage "ALARM 17:04 → OK 17:09 → ALARM 17:12 (3 events in 8 min, UTC)".
 */
export function historyLine(history: readonly HistoryEntry[], timeZone = "UTC"): string {
  const several = new Set(history.map((h) => h.member ?? "")).size > 1;
  const shown = history.slice(-SHOWN).map((h) => ({ state: stateOf(h, several), clock: clockOf(h.at, timeZone) }));
  const zones = new Set(shown.map((h) => h.clock?.zone ?? ""));
  // Across a change of summer time each time says its own zone.
  const each = zones.size > 1;
  const line = shown.map(({ state, clock }) => `${state} ${clock ? `${clock.local}${each ? ` ${clock.zone}` : ""}` : "?"}`);
  const first = history[0];
  const last = history.at(-1);
  const span = first && last ? humanDuration(Date.parse(last.at) - Date.parse(first.at)) : "0 s";
  const earlier = history.length > SHOWN ? "… → " : "";
  const counted = `${history.length} events in ${span}`;
  const [zone] = zones;
  if (zone === "UTC" && !each) return `${earlier}${line.join(" → ")} (${counted}, UTC)`;
  const utc = shown.map(({ clock }) => clock?.utc ?? "?").join(" → ");
  return `${earlier}${line.join(" → ")} (${counted}${each ? "" : `, ${zone}`}; ${earlier}${utc} UTC)`;
}
