import { AlarmDetail } from "../notify/sources/alarm";
import { Envelope } from "../notify/sources/envelope";
import type { AlarmFacts } from "./alarm";
import { stateChangedAt } from "./present";

/**
 * A CloudWatch Alarm State Change as the rollback reads it: the alarm's facts, its id after the stage's prefix, and
 * when its state changed (the detail's own timestamp); or why the event is not one, with its id when it has one.
 */
export function alarmOfEvent(event: unknown, alarmPrefix: string): { alarm: AlarmFacts } | { rejected: string; eventId: unknown } {
  const envelope = Envelope.safeParse(event);
  const detail = envelope.success ? AlarmDetail.safeParse(envelope.data.detail) : undefined;
  if (!envelope.success || !detail?.success) {
    const reason = (envelope.success ? detail?.error : envelope.error)?.issues[0]?.message ?? "unknown";
    return { rejected: reason, eventId: (event as { id?: unknown })?.id };
  }
  const { alarmName, state } = detail.data;
  return {
    alarm: {
      eventId: envelope.data.id,
      alarmName,
      alarmId: alarmName.startsWith(alarmPrefix) ? alarmName.slice(alarmPrefix.length) : alarmName,
      state: state.value,
      reason: state.reason,
      at: stateChangedAt(state.timestamp, envelope.data.time),
    },
  };
}
