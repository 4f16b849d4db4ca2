import { formatTime } from "../text/time";
import type { AlarmFacts } from "./alarm";

/**
 * Act on the present, not on the event. EventBridge delivers at least once
 * and in no guaranteed order (an ALARM can arrive after its OK), so before
 * any change the rollback asks CloudWatch what the alarm is now.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html (at least once, no order)
 */

/** The alarm as DescribeAlarms gives it now; null when CloudWatch does not know it (deleted since). */
export interface AlarmNow {
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** When its state value last changed (StateTransitionedTimestamp, or StateUpdatedTimestamp where that is all there is). */
  since: Date;
}

/** The decision that nothing is done because the alarm has moved on since its event (one of RollbackDecision's). */
export interface StaleAlarm {
  action: "none";
  reason: "stale-alarm";
  why: string;
}

/**
 * The decision when the event no longer speaks for the alarm, or null when it does. An ALARM stands while the alarm
 * is in ALARM and has not changed state after the event; any later change supersedes it: an OK or
 * INSUFFICIENT_DATA ends the episode, a later ALARM is an episode of its own whose event decides. A state older
 * than the event means CloudWatch's read trails its own event: the event is the newer word and stands. Its times are
 * in the stage's zone, with UTC beside.
 */
export function staleAlarm(alarm: AlarmFacts, now: AlarmNow | null, timeZone: string): StaleAlarm | null {
  const stale = (why: string) => ({ action: "none" as const, reason: "stale-alarm" as const, why });
  if (!now) return stale(`${alarm.alarmId} no longer exists (CloudWatch does not know it): it cannot be in ALARM now`);
  const since = formatTime(now.since.toISOString(), timeZone);
  // "Do it" carries out what the automation would do now: nothing, once the alarm has ended.
  if (alarm.pressed) return now.state === "ALARM" ? null : stale(`${alarm.alarmId} is ${now.state} since ${since}`);
  if (now.since.getTime() <= alarm.at.getTime()) return null;
  const event = formatTime(alarm.at.toISOString(), timeZone);
  if (now.state === "ALARM")
    return stale(
      `this ALARM, raised at ${event}, is an earlier episode: ${alarm.alarmId} went to ALARM again at ${since}, and that episode's own event decides`,
    );
  return stale(`${alarm.alarmId} is ${now.state} since ${since}, after this ALARM was raised at ${event}`);
}

/**
 * When the alarm changed state, from its event: the detail's own timestamp ("2019-10-02T17:04:40.989+0000"), to the
 * millisecond as DescribeAlarms gives it back; the envelope's time (to the second) only when that cannot be read.
 */
export function stateChangedAt(timestamp: string, envelopeTime: string): Date {
  const at = new Date(timestamp.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(at.getTime()) ? new Date(envelopeTime) : at;
}
