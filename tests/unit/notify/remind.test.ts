import type { IncidentRecord } from "@hands-off-ops/core/notify/incident";
import { alarmsInAlarm, decideReminder, isScheduledEvent, reminderMessage, sweepTime } from "@hands-off-ops/core/notify/remind";
import { describe, expect, it } from "vitest";
import { releaseAlarmEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

const OPENED = "2026-11-24T16:04:00.000Z";
const hoursLater = (h: number) => new Date(Date.parse(OPENED) + h * 3_600_000);
const ALARM = "prod-hands-off-ops-Alb5xxRate";

const record = (over: Partial<IncidentRecord> = {}): IncidentRecord => ({
  key: `alarm:${ALARM}`,
  openedAt: OPENED,
  history: [{ state: "ALARM", at: OPENED, member: `alarm:${ALARM}` }],
  steps: [],
  lead: messageOf(releaseAlarmEvent()),
  message: { channel: "C-ops-oncall", ts: "1700000000.000100" },
  version: 3,
  told: "problem",
  members: {
    [`alarm:${ALARM}`]: { told: "problem", at: OPENED, lasting: true },
    "task:web:42:crashed": { told: "problem", at: OPENED, lasting: false },
  },
  ...over,
});
const inAlarm = new Map([[ALARM, { state: "ALARM" as const, since: new Date(OPENED) }]]);

describe("a reminder for an alarm still in ALARM", () => {
  it("is due once the incident is open for remindAfterHours and CloudWatch still has its alarm in ALARM", () => {
    expect(decideReminder(record(), inAlarm, hoursLater(4), 4)).toMatchObject({ remind: true, alarms: [{ name: ALARM }] });
    expect(decideReminder(record(), inAlarm, hoursLater(3.9), 4)).toMatchObject({ remind: false, reason: expect.stringContaining("only") });
  });

  it.each([
    ["no reminders set", record(), inAlarm, null, "no reminders"],
    ["no incident", undefined, inAlarm, 4, "no incident"],
    ["ended", record({ told: "resolved" }), inAlarm, 4, "has ended"],
    ["reminded already", record({ remindedAt: hoursLater(4).toISOString() }), inAlarm, 4, "was reminded"],
    ["no Slack thread", record({ message: null }), inAlarm, 4, "no Slack thread"],
    ["the alarm is OK now", record(), new Map([[ALARM, { state: "OK" as const, since: hoursLater(5) }]]), 4, "in ALARM now"],
    ["the alarm is gone", record(), new Map([[ALARM, null]]), 4, "in ALARM now"],
  ])("is not due: %s", (_, incident, alarms, hours, reason) => {
    expect(decideReminder(incident, alarms, hoursLater(6), hours)).toMatchObject({
      remind: false,
      reason: expect.stringContaining(reason),
    });
  });

  it("asks CloudWatch only about the alarms the incident last heard were in ALARM", () => {
    expect(alarmsInAlarm(record())).toEqual([ALARM]);
    expect(alarmsInAlarm(record({ members: { [`alarm:${ALARM}`]: { told: "resolved", at: OPENED, lasting: true } } }))).toEqual([]);
  });

  it("says which alarm, since when in the stage's zone with UTC beside, and is a warning: never a page", () => {
    const decision = decideReminder(record(), inAlarm, hoursLater(6), 4);
    if (!decision.remind) throw new Error(decision.reason);
    const message = reminderMessage(record(), decision, hoursLater(6));
    expect(message).toMatchObject({ severity: "warning", title: "Still in ALARM after 6 h: Alb5xxRate", incident: null });
    expect(message.facts).toEqual([{ label: "In ALARM since", value: `${ALARM}: 2026-11-24 17:04:00 CET (16:04:00 UTC)` }]);
  });

  it("is run by EventBridge's scheduled event and nothing else", () => {
    expect(isScheduledEvent({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} })).toBe(true);
    expect(isScheduledEvent(releaseAlarmEvent())).toBe(false);
    expect(isScheduledEvent(null)).toBe(false);
  });

  it("runs at the time its rule fired (the scheduled event's time), so a late delivery judges the same moment", () => {
    expect(sweepTime({ time: "2026-11-24T20:04:00Z" }).toISOString()).toBe("2026-11-24T20:04:00.000Z");
    expect(Math.abs(sweepTime({}).getTime() - Date.now())).toBeLessThan(5_000);
  });
});
