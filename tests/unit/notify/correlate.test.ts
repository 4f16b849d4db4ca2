import { deliver } from "@hands-off-ops/core/notify/deliver";
import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { type AnyEvent, backToOk, loadEvent, releaseAlarmEvent, stoppedTask } from "../../fixtures/events";
import { fakePorts } from "./fakes";
import { messageOf } from "./message-of";

/**
 * One cause, one incident: the signals AWS sends about one bad release or one
 * failing service — each from its documentation sample — join one incident,
 * whatever arrives first. On-call gets one page, one end, at most one escalation.
 */

const PROD = stageSettings("prod", {}).notifications;
const T0 = Date.parse("2026-11-24T16:04:00Z");
const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

function timed(event: AnyEvent, minute: number, id: string): AnyEvent {
  event.time = iso(minute).replace(".000", "");
  event.id = id;
  if (event.detail?.state) event.detail.state.timestamp = iso(minute).replace("Z", "+0000");
  return event;
}

const alarm = (name: "Alb5xxRate" | "TargetP99Latency", minute: number, id = `${name}-${minute}`) => {
  const event = releaseAlarmEvent();
  event.detail.alarmName = `prod-hands-off-ops-${name}`;
  event.resources = [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:prod-hands-off-ops-${name}`];
  return timed(event, minute, id);
};
const ok = (name: "Alb5xxRate" | "TargetP99Latency", since: number, minute: number) => {
  const event = backToOk(alarm(name, since), `${name}-ok-${minute}`, iso(minute).replace(".000", ""));
  event.detail.previousState.timestamp = iso(since).replace("Z", "+0000");
  return event;
};

/** An automation notice (the AWS-shaped PutEvents entry) that is a step of an incident. */
function step(key: string, minute: number, over: Partial<NonNullable<OpsMessage["incident"]>> & Record<string, unknown>): OpsMessage {
  const notice = messageOf(timed(loadEvent("automation-action"), minute, `step-${key}-${minute}`));
  return {
    ...notice,
    severity: "critical",
    thread: null,
    incident: { role: "step", key, did: `did something at ${minute}`, escalates: false, deployments: [], ...over } as never,
  };
}

/** An incident event of a kind with no OK of its own (a failover, a placement failure). */
function episode(key: string, minute: number, state: string): OpsMessage {
  const base = messageOf(timed(loadEvent("automation-action"), minute, `${key}-${minute}`));
  return { ...base, severity: "critical", thread: null, incident: { role: "event", key, state } };
}

async function story(messages: OpsMessage[]) {
  const ports = fakePorts();
  const reports = [];
  for (const message of messages) reports.push(await deliver(message, ports, PROD));
  const reasons = reports.flatMap((r) => (r.email === "sent" && r.emailReason ? [r.emailReason] : []));
  const opened = reports.filter((r) => r.incident === "opened").length;
  return { ports, reports, reasons, opened };
}

describe("one cause, one incident", () => {
  it("two release alarms of one canary: one page, and the end only once both are OK", async () => {
    const { reasons, opened, ports } = await story([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("Alb5xxRate", 0, 6)),
      messageOf(ok("TargetP99Latency", 1, 8)),
    ]);
    expect(opened).toBe(1);
    expect(reasons).toEqual(["page", "resolution"]);
    expect(ports.email.sent.at(-1)?.subject).toMatch(/^\[RESOLVED\]/);
    // The second alarm's OK, delivered late, still ends the incident when it is the last one in ALARM.
    const late = await story([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("TargetP99Latency", 1, 7)),
      messageOf(ok("Alb5xxRate", 0, 5)),
    ]);
    expect(late.reasons).toEqual(["page", "resolution"]);
  });

  it("an OK of one alarm while the other still fires tells nobody it has ended", async () => {
    const { reasons, ports } = await story([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("Alb5xxRate", 0, 6)),
    ]);
    expect(reasons).toEqual(["page"]);
    expect([...ports.store.incidents.values()][0]?.told).toBe("problem");
  });

  it("while one alarm still fires, the incident's message shows it, not the other alarm's OK", async () => {
    const lead = async (messages: OpsMessage[]) => [...(await story(messages)).ports.store.incidents.values()][0]?.lead;
    // Timelines two-alarms-one-canary: the OK of the second alarm came first and led the open incident with "RESOLVED".
    const open = await lead([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("TargetP99Latency", 1, 6)),
    ]);
    expect(open?.severity).toBe("critical");
    expect(open?.title).toBe("Alb5xxRate is in ALARM");
    // The other order: the first alarm ends while the second still fires.
    const other = await lead([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("Alb5xxRate", 0, 6)),
    ]);
    expect(other?.title).toBe("TargetP99Latency is in ALARM");
    // Once both have ended, the last end leads.
    const ended = await lead([
      messageOf(alarm("Alb5xxRate", 0)),
      messageOf(alarm("TargetP99Latency", 1)),
      messageOf(ok("Alb5xxRate", 0, 6)),
      messageOf(ok("TargetP99Latency", 1, 8)),
    ]);
    expect(ended?.severity).toBe("resolved");
    expect(ended?.title).toBe("TargetP99Latency is back to OK");
  });

  it("a crash after the release's alarm fired does not lower the incident's message to a warning", async () => {
    const crash = (minute: number) => messageOf(timed(stoppedTask("crashed"), minute, `crash-${minute}`));
    // Timelines crash-loop-after-release: crashes during the rollback led the incident with "A task crashed" (warning).
    const { ports } = await story([crash(0), messageOf(alarm("Alb5xxRate", 1)), crash(2), crash(3)]);
    const record = [...ports.store.incidents.values()][0];
    expect(record?.lead.title).toBe("Alb5xxRate is in ALARM");
    expect(record?.lead.severity).toBe("critical");
    // A crash loop on its own still leads with its newest crash.
    const alone = await story([crash(0), crash(1)]);
    expect([...alone.ports.store.incidents.values()][0]?.lead.source.eventId).toBe("crash-1");
  });

  it("a hook's failed verdict and the alarm of the same release: one incident, whichever comes first", async () => {
    const verdict = step("release:d-NEWRELEASE", 0, {
      did: "AfterAllowTestTraffic failed; reported Failed to CodeDeploy, which stops the release and rolls back.",
      handled: true,
      deployments: [{ deploymentId: "d-NEWRELEASE", part: "bad-release" }],
    });
    for (const order of [
      [verdict, messageOf(alarm("Alb5xxRate", 1))],
      [messageOf(alarm("Alb5xxRate", 1)), verdict],
    ]) {
      const { opened, reasons } = await story([...order, messageOf(ok("Alb5xxRate", 1, 9))]);
      expect(opened).toBe(1);
      expect(reasons).toEqual(["page", "resolution"]);
    }
  });

  it("a crash loop after its release is being rolled back does not escalate, and the rollback's success ends it", async () => {
    const crash = (minute: number) => messageOf(timed(stoppedTask("crashed"), minute, `crash-${minute}`));
    const { reasons, ports } = await story([
      crash(0),
      step("task:x", 1, { did: "CodeDeploy started rollback deployment d-R (in progress).", handled: true }),
      crash(2),
      crash(3),
      crash(4),
      step("task:x", 6, { did: "Rolled back: rollback deployment d-R succeeded.", handled: true, ends: true }),
    ]);
    expect(reasons).toEqual(["page", "resolution"]);
    expect(ports.store.incidents.size).toBe(1);
  });

  it("without a rollback, the same crash loop escalates once, at its third crash", async () => {
    const crash = (minute: number) => messageOf(timed(stoppedTask("crashed"), minute, `crash-${minute}`));
    const { reasons } = await story([crash(0), crash(1), crash(2), crash(3)]);
    expect(reasons).toEqual(["page", "escalation"]);
  });

  it("an OOM kill and the placement failure it causes: one incident, one page", async () => {
    const oom = messageOf(timed(stoppedTask("outOfMemory"), 0, "oom"));
    const placement = messageOf(timed(loadEvent("ecs-service-action-task-placement-failure"), 1, "placement"));
    const { opened, reasons } = await story([oom, placement]);
    expect(opened).toBe(1);
    expect(reasons).toEqual(["page"]);
  });

  it("a database failover and the 5xx after it: one incident, ended by the alarm's OK", async () => {
    const { opened, reasons } = await story([
      episode("database:prod-hands-off-ops-db", 0, "RDS-EVENT-0049"),
      messageOf(alarm("Alb5xxRate", 2)),
      messageOf(ok("Alb5xxRate", 2, 9)),
    ]);
    expect(opened).toBe(1);
    expect(reasons).toEqual(["page", "resolution"]);
  });

  it("a new problem after a window of quiet is a new cause: a new incident, even while the old one is open", async () => {
    const { opened } = await story([
      episode("database:prod-hands-off-ops-db", 0, "RDS-EVENT-0049"),
      messageOf(alarm("Alb5xxRate", PROD.collapseWindowMinutes + 5)),
    ]);
    expect(opened).toBe(2);
  });

  it("an escalation asks once: a second call for a person in the same incident is a reply, not an e-mail", async () => {
    const { reasons } = await story([
      messageOf(alarm("Alb5xxRate", 0)),
      step("alarm:prod-hands-off-ops-Alb5xxRate", 1, { escalates: true }),
      messageOf(alarm("TargetP99Latency", 2)),
      step("alarm:prod-hands-off-ops-TargetP99Latency", 3, { escalates: true }),
    ]);
    expect(reasons).toEqual(["page", "escalation"]);
  });

  it("a claim on the service whose incident was never written (its delivery died) does not stop the next one: it claims over it", async () => {
    const ports = fakePorts();
    await ports.store.claimLatest("prod/hands-off-ops", "alarm:prod-hands-off-ops-TargetP99Latency", undefined);
    const report = await deliver(messageOf(alarm("Alb5xxRate", 0)), ports, PROD);
    expect(report).toMatchObject({ incident: "opened", email: "sent" });
    expect(await ports.store.latestOf("prod/hands-off-ops")).toBe("alarm:prod-hands-off-ops-Alb5xxRate");
  });

  it("two signals arriving together: the one that loses the claim on the service joins the winner's incident", async () => {
    const ports = fakePorts();
    const first = messageOf(alarm("Alb5xxRate", 0));
    const second = messageOf(alarm("TargetP99Latency", 0));
    // The second delivery reads the service before the first has claimed it, and then loses the claim.
    const claim = ports.store.claimLatest.bind(ports.store);
    let raced = false;
    ports.store.claimLatest = async (service, key, expected) => {
      if (!raced && key.endsWith("TargetP99Latency")) {
        raced = true;
        await deliver(first, ports, PROD);
      }
      return claim(service, key, expected);
    };
    await deliver(second, ports, PROD);
    expect(ports.store.incidents.size).toBe(1);
    expect(ports.email.sent).toHaveLength(1);
    expect(await ports.store.memberOf("alarm:prod-hands-off-ops-TargetP99Latency")).toBe("alarm:prod-hands-off-ops-Alb5xxRate");
  });
});
