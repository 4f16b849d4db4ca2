import { deliver } from "@hands-off-ops/core/notify/deliver";
import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { type AnyEvent, backToOk, loadEvent, releaseAlarmEvent, stoppedTask } from "../../fixtures/events";
import { fakePorts } from "./fakes";
import { messageOf } from "./message-of";

/**
 * One bad release, told by several sources at once — two release alarms
 * (ALARM, then OK), the hook's failed verdict, CodeDeploy stopping the
 * release, the rollback function's decision, the new revision's crashes — each
 * delivered at least once, late by up to five minutes, in any order that
 * follows, and sometimes an ALARM delivered after its own OK (stale). On-call
 * gets one incident: at most one page, one end and one escalation; the last
 * e-mail tells the real last state (both alarms OK); once the release is
 * recorded as stopped nothing tells a person to stop it; and the stale ALARM
 * changes nothing.
 */

const PROD = stageSettings("prod", {}).notifications;
const START = Date.parse("2026-11-24T16:04:00Z");
const MAX_DELAY_S = 300;
const ALARMS = ["Alb5xxRate", "TargetP99Latency"] as const;

const isoAt = (ms: number) => new Date(ms).toISOString().replace(".000", "");

function alarmAt(name: (typeof ALARMS)[number], at: number, id: string): AnyEvent {
  const event = releaseAlarmEvent();
  event.detail.alarmName = `prod-hands-off-ops-${name}`;
  event.resources = [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:prod-hands-off-ops-${name}`];
  event.time = isoAt(at);
  event.id = id;
  event.detail.state.timestamp = new Date(at).toISOString().replace("Z", "+0000");
  return event;
}

function okAt(name: (typeof ALARMS)[number], since: number, at: number, id: string): AnyEvent {
  const event = backToOk(alarmAt(name, since, `${id}-alarm`), id, isoAt(at));
  event.detail.previousState.timestamp = new Date(since).toISOString().replace("Z", "+0000");
  return event;
}

function stepAt(key: string, at: number, id: string, over: Record<string, unknown>): OpsMessage {
  const notice = loadEvent("automation-action");
  notice.time = isoAt(at);
  notice.id = id;
  const message = messageOf(notice);
  return {
    ...message,
    severity: "critical",
    thread: null,
    incident: { role: "step", key, did: `${id}`, escalates: false, deployments: [], ...over } as never,
  };
}

interface Timed {
  at: number;
  message: OpsMessage;
  /** Facts the rendered messages must not contradict once this is recorded. */
  stopsRelease?: boolean;
}

const minutes = (n: number) => n * 60_000;

const release = fc
  .record({
    // The second alarm fires within 10 min of the first; each ends at least 6 min after the later ALARM, so that
    // at no moment of the story (delays included) have both alarms ended before the last ALARM arrives.
    second: fc.integer({ min: 0, max: 10 }),
    ends: fc.tuple(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 6, max: 30 })),
    crashes: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
    hookFails: fc.boolean(),
    codeDeployStops: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    rollbackEscalates: fc.boolean(),
    delays: fc.array(fc.integer({ min: 0, max: MAX_DELAY_S }), { minLength: 40, maxLength: 40 }),
    duplicates: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    stale: fc.boolean(),
  })
  .map(({ second, ends, crashes, hookFails, codeDeployStops, rollbackEscalates, delays, duplicates, stale }) => {
    const began = [START, START + minutes(second)] as const;
    const lastAlarm = Math.max(...began);
    const ended = [lastAlarm + minutes(ends[0]), lastAlarm + minutes(ends[1])] as const;
    const signals: Timed[] = [];
    ALARMS.forEach((name, i) => {
      signals.push({ at: began[i] as number, message: messageOf(alarmAt(name, began[i] as number, `${name}-alarm`)) });
      signals.push({ at: ended[i] as number, message: messageOf(okAt(name, began[i] as number, ended[i] as number, `${name}-ok`)) });
    });
    // The rollback function decides on the first alarm: in dry-run it asks a person (escalates), in enforce it stops.
    signals.push({
      at: START + 20_000,
      message: stepAt("alarm:prod-hands-off-ops-Alb5xxRate", START + 20_000, "rollback-decision", {
        escalates: rollbackEscalates,
        ...(rollbackEscalates ? {} : { handled: true }),
      }),
      stopsRelease: !rollbackEscalates,
    });
    if (hookFails)
      signals.push({
        at: START + 30_000,
        message: stepAt("release:d-NEWRELEASE", START + 30_000, "hook-verdict", { handled: true }),
        stopsRelease: true,
      });
    if (codeDeployStops !== undefined)
      signals.push({
        at: START + minutes(codeDeployStops),
        message: stepAt("alarm:prod-hands-off-ops-Alb5xxRate", START + minutes(codeDeployStops), "codedeploy-stop", { handled: true }),
        stopsRelease: true,
      });
    crashes.forEach((minute, i) => {
      const event = stoppedTask("crashed", `crash-${i}`);
      event.time = isoAt(START + minutes(minute) + i * 1000);
      signals.push({ at: START + minutes(minute) + i * 1000, message: messageOf(event) });
    });
    const deliveries = signals.flatMap((signal, i) => {
      const once = { ...signal, deliveredAt: signal.at + (delays[i] ?? 0) * 1000 };
      return duplicates[i] ? [once, { ...signal, deliveredAt: signal.at + (delays[(i + 13) % 40] ?? 0) * 1000 }] : [once];
    });
    deliveries.sort((a, b) => a.deliveredAt - b.deliveredAt);
    // A stale ALARM: the first alarm's ALARM again, delivered after everything, its own OK long since recorded.
    const staleAlarm = stale ? messageOf(alarmAt("Alb5xxRate", began[0], "Alb5xxRate-alarm-redelivered")) : null;
    return { deliveries, staleAlarm };
  });

describe("any interleaving of one release's signals from several sources", () => {
  it("is one incident: at most one page, one end and one escalation, ending told the truth, never contradicted", async () => {
    await fc.assert(
      fc.asyncProperty(release, async ({ deliveries, staleAlarm }) => {
        const ports = fakePorts();
        const sent = () => ports.email.sent.map((m) => /Incident:\s+(\w+)/.exec(m.body)?.[1] ?? "page");
        for (const { message } of deliveries) await deliver(message, ports, PROD);

        expect(ports.store.incidents.size).toBe(1);
        const reasons = sent();
        expect(reasons.filter((r) => r === "Opened" || r === "page").length).toBeLessThanOrEqual(1);
        expect(reasons.filter((r) => r === "Resolved")).toHaveLength(1);
        expect(reasons.filter((r) => r === "Escalated").length).toBeLessThanOrEqual(1);
        expect(reasons).not.toContain("Back");
        // A call for a person that arrives after the release was recorded as stopped has nothing to ask.
        const firstStop = deliveries.findIndex((d) => d.stopsRelease);
        const firstCall = deliveries.findIndex((d) => d.message.incident?.role === "step" && d.message.incident.escalates);
        if (firstStop !== -1 && firstCall !== -1 && firstStop < firstCall)
          expect(ports.email.sent.filter((m) => m.body.includes("event rollback-decision"))).toEqual([]);
        // The last e-mail that is not the escalation tells the real last state: both alarms are OK.
        const told = ports.email.sent.filter((m) => !/Incident:\s+Escalated/.test(m.body));
        expect(told.at(-1)?.subject.startsWith("[RESOLVED]")).toBe(true);

        // Once a stop of the release is recorded, the incident's message asks nobody to stop it.
        const [record] = [...ports.store.incidents.values()];
        const stopped = deliveries.some((d) => d.stopsRelease);
        const updates = ports.slack.calls.filter((c) => c.call === "update");
        const last = updates.at(-1);
        if (stopped && last?.call === "update") {
          expect(last.payload.text).not.toMatch(/a person must act/);
          expect(JSON.stringify(last.payload.blocks)).not.toMatch(/stop-deployment/);
        }

        if (staleAlarm) {
          const before = { record: structuredClone(record), emails: ports.email.sent.length };
          await deliver(staleAlarm, ports, PROD);
          const [after] = [...ports.store.incidents.values()];
          expect(ports.email.sent.length).toBe(before.emails);
          expect(after?.told).toBe("resolved");
          expect(after?.members).toEqual(before.record?.members);
          expect(after?.escalated).toBe(before.record?.escalated);
        }
      }),
      { numRuns: 200 },
    );
    // 200 stories of up to 40 deliveries each: seconds alone, longer beside the rest of the suite.
  }, 60_000);
});
