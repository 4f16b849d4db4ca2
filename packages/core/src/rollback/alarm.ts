/** The alarm as its event tells it (or a person's "Do it" or Roll back press): what a rollback decision is about. */
export interface AlarmFacts {
  eventId: string;
  /** The full alarm name, e.g. prod-hands-off-ops-Alb5xxRate. */
  alarmName: string;
  /** The alarm id after "<stage>-<app>-", e.g. Alb5xxRate. */
  alarmId: string;
  state: string;
  reason: string;
  /**
   * When the alarm changed state: the detail's state timestamp, to the millisecond as DescribeAlarms gives it back
   * (the envelope's time is to the second, and would read as earlier than the very change it reports).
   */
  at: Date;
  /** Not the alarm's event but a person's "Do it" now: it stands while the alarm is in ALARM, whatever the episode. */
  pressed?: true;
  /** Not an alarm: a person asked, from the release's thread (Slack's Roll back). Its notice joins no alarm's incident. */
  byHand?: { requestedBy: string; deploymentId: string };
}
