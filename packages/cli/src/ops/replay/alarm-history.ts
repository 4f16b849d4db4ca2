import { AlarmDetail } from "@hands-off-ops/core/notify/sources/alarm";
import { Envelope } from "@hands-off-ops/core/notify/sources/envelope";
import { type AlarmNow, stateChangedAt } from "@hands-off-ops/core/rollback/present";

/** One state change of an alarm, as its event tells it. */
export interface AlarmChange {
  alarmName: string;
  state: AlarmNow["state"];
  at: Date;
}

/** The alarm state changes among some events (a timeline's, or the one replayed), in no particular order. */
export function alarmChangesOf(events: unknown[]): AlarmChange[] {
  return events.flatMap((event) => {
    const envelope = Envelope.safeParse(event);
    const detail = envelope.success ? AlarmDetail.safeParse(envelope.data.detail) : undefined;
    if (!envelope.success || !detail?.success) return [];
    const { alarmName, state } = detail.data;
    return [{ alarmName, state: state.value as AlarmNow["state"], at: stateChangedAt(state.timestamp, envelope.data.time) }];
  });
}
