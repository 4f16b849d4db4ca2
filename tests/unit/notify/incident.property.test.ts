import { deliver } from "@hands-off-ops/core/notify/deliver";
import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { backToOk, loadEvent, releaseAlarmEvent } from "../../fixtures/events";
import { fakePorts } from "./fakes";
import { messageOf } from "./message-of";

/**
 * One incident's events (an alarm going ALARM and OK, the automation's
 * decisions on it), delivered as EventBridge may: each at least once, late by
 * up to five minutes, in any order that follows. Whatever the order, on-call
 * gets one incident, one Slack message, and at most one e-mail per change of
 * state (plus one escalation), ending with the alarm's real last state.
 */

const PROD = stageSettings("prod", {}).notifications;
const START = Date.parse("2026-11-24T16:04:00Z");
const KEY = "alarm:prod-hands-off-ops-Alb5xxRate";

interface Arrival {
  at: number;
  message: OpsMessage;
  deliveredAt: number;
}

const story = fc
  .record({
    // Gaps shorter than the collapse window (30 min) minus the longest delay: one incident, never a quiet window.
    gaps: fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 8 }),
    steps: fc.array(fc.record({ afterEvent: fc.nat(), escalates: fc.boolean() }), { maxLength: 3 }),
    delays: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 30, maxLength: 30 }),
    duplicates: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  })
  .map(({ gaps, steps, delays, duplicates }) => {
    const alarm = releaseAlarmEvent();
    let minute = 0;
    const events: Arrival[] = [0, ...gaps].map((gap, i) => {
      minute += gap;
      const at = START + minute * 60_000;
      const time = new Date(at).toISOString();
      const raw = i % 2 === 0 ? { ...alarm, id: `a-${i}`, time } : backToOk(alarm, `a-${i}`, time);
      (raw.detail as { state: { timestamp: string } }).state.timestamp = time;
      return { at, message: messageOf(raw), deliveredAt: at };
    });
    const notices: Arrival[] = steps.map(({ afterEvent, escalates }, i) => {
      const after = events[afterEvent % events.length] as Arrival;
      const at = after.at + 1_000;
      const notice = messageOf(loadEvent("automation-action"));
      return {
        at,
        deliveredAt: at,
        message: {
          ...notice,
          severity: "critical",
          occurredAt: new Date(at).toISOString(),
          source: { ...notice.source, eventId: `n-${i}` },
          thread: null,
          incident: { role: "step", key: KEY, did: `step ${i}`, escalates, deployments: [] },
        },
      };
    });
    const all = [...events, ...notices];
    const deliveries = all.flatMap((arrival, i) => {
      const once = { ...arrival, deliveredAt: arrival.at + (delays[i % 30] ?? 0) * 1000 };
      return duplicates[i % 30] ? [once, { ...arrival, deliveredAt: arrival.at + (delays[(i + 7) % 30] ?? 0) * 1000 }] : [once];
    });
    deliveries.sort((a, b) => a.deliveredAt - b.deliveredAt);
    return { events, deliveries };
  });

describe("any interleaving of one incident's deliveries", () => {
  it("is one incident, one Slack message, at most one e-mail per change of state, and ends told the truth", async () => {
    await fc.assert(
      fc.asyncProperty(story, async ({ events, deliveries }) => {
        const ports = fakePorts();
        const reports: Awaited<ReturnType<typeof deliver>>[] = [];
        for (const { message } of deliveries) reports.push(await deliver(message, ports, PROD));

        expect(ports.store.incidents.size).toBe(1);
        // A duplicate delivery hands back its first report: count events, not deliveries.
        expect(new Set(reports.filter((r) => r.incident === "opened").map((r) => r.eventId)).size).toBe(1);
        const topLevel = ports.slack.calls.filter((c) => c.call === "post" && !c.post.threadTs);
        expect(topLevel).toHaveLength(1);

        const states = events.map((e) => e.message.severity === "resolved");
        const changes = states.filter((s, i) => i > 0 && s !== states[i - 1]).length;
        // What was really sent: a duplicate delivery reports the first one's result and sends nothing.
        const escalations = ports.email.sent.filter((m) => /Incident:\s+Escalated/.test(m.body));
        const told = ports.email.sent.filter((m) => !escalations.includes(m));
        expect(told.length).toBeLessThanOrEqual(1 + changes);
        expect(escalations.length).toBeLessThanOrEqual(1);
        // The last thing e-mail readers heard is the alarm's real last state.
        const lastSubject = told.at(-1)?.subject;
        expect(lastSubject?.startsWith(states.at(-1) ? "[RESOLVED]" : "[CRITICAL]")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
