import { DeliveryError, deliver } from "@hands-off-ops/core/notify/deliver";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { backToOk, deploymentEvent, loadEvent, releaseAlarmEvent } from "../../fixtures/events";
import { fakePorts, fixedGraphs } from "./fakes";
import { messageOf } from "./message-of";

const PROD = stageSettings("prod", {}).notifications;
const DEV = stageSettings("dev", {}).notifications;

const posts = (ports: ReturnType<typeof fakePorts>) => ports.slack.calls.filter((c) => c.call === "post");

describe("one Slack thread per deployment", () => {
  it("starts the thread, replies to it, and updates the start with the outcome", async () => {
    const ports = fakePorts();
    await deliver(messageOf(deploymentEvent("START", "d-REL1")), ports, PROD);
    const notice = loadEvent("automation-action");
    notice.detail.thread.deploymentId = "d-REL1";
    notice.detail.severity = "info";
    await deliver(messageOf(notice), ports, PROD);
    await deliver(messageOf(deploymentEvent("SUCCESS", "d-REL1")), ports, PROD);

    const [start, reply, outcome, update] = ports.slack.calls;
    expect(start).toMatchObject({ call: "post", post: { channel: "#ops-releases" } });
    expect(start?.call === "post" && start.post.threadTs).toBeUndefined();
    const parent = start?.call === "post" ? start.ref : undefined;
    expect(reply).toMatchObject({ call: "post", post: { threadTs: parent?.ts, broadcast: false } });
    expect(outcome).toMatchObject({ call: "post", post: { threadTs: parent?.ts } });
    expect(update).toMatchObject({ call: "update", ref: parent });
    expect(update?.call === "update" && update.payload.text).toMatch(/^INFO prod: Release d-REL1 succeeded/);
    expect(ports.slack.calls).toHaveLength(4);
  });

  it("broadcasts a failure into the channel and also posts it where critical messages go", async () => {
    const ports = fakePorts();
    await deliver(messageOf(deploymentEvent("START", "d-REL2")), ports, PROD);
    const report = await deliver(messageOf(deploymentEvent("FAILURE", "d-REL2")), ports, PROD);
    expect(report).toMatchObject({ slack: "replied", email: "sent" });
    const channels = posts(ports).map((c) => c.call === "post" && [c.post.channel, c.post.threadTs ?? null, c.post.broadcast ?? false]);
    expect(channels).toEqual([
      ["#ops-releases", null, false],
      ["C-ops-releases", expect.any(String), true],
      ["#ops-oncall", null, false],
    ]);
  });

  it("makes the first message to arrive the parent when the start comes late", async () => {
    const ports = fakePorts();
    await deliver(messageOf(deploymentEvent("READY", "d-REL3")), ports, PROD);
    await deliver(messageOf(deploymentEvent("START", "d-REL3")), ports, PROD);
    const [first, second] = posts(ports);
    expect(first?.call === "post" && first.post.threadTs).toBeUndefined();
    expect(second?.call === "post" && second.post.threadTs).toBe(first?.call === "post" ? first.ref.ts : "?");
  });

  it("keeps one parent when two deliveries start the same thread at once", async () => {
    const ports = fakePorts();
    const winner = { channel: "C-ops-releases", ts: "999.000100", routedTo: "#ops-releases" };
    ports.store.claimThread = async () => winner;
    await deliver(messageOf(deploymentEvent("START", "d-REL4")), ports, PROD);
    expect(ports.slack.calls.map((c) => c.call)).toEqual(["post", "remove", "post"]);
    expect(ports.slack.calls[2]).toMatchObject({ post: { channel: winner.channel, threadTs: winner.ts } });
    expect(ports.slack.calls[2]?.call === "post" && ports.slack.calls[2].post.payload.text).toMatch(/Release d-REL4 started/);
  });

  it("posts thread messages on their own through a webhook, which has no threads", async () => {
    const ports = fakePorts({ webhook: true });
    await deliver(messageOf(deploymentEvent("START", "d-REL5")), ports, PROD);
    await deliver(messageOf(deploymentEvent("SUCCESS", "d-REL5")), ports, PROD);
    expect(ports.slack.calls.map((c) => c.call === "post" && c.post.threadTs)).toEqual([undefined, undefined]);
  });
});

describe("a flapping alarm is one incident: one Slack message, updated, with each change as a thread reply", () => {
  const alarm = releaseAlarmEvent();
  const run = [
    alarm,
    backToOk(alarm, "e-2", "2019-10-02T17:10:00Z"),
    { ...alarm, id: "e-3", time: "2019-10-02T17:15:00Z" },
    backToOk(alarm, "e-4", "2019-10-02T17:20:00Z"),
  ];

  it("posts once with the graph, then replies and updates; e-mails the page, its end, its return and its end again", async () => {
    const ports = fakePorts();
    const reports = [];
    for (const event of run) reports.push(await deliver(messageOf(event), ports, PROD));
    expect(reports.map((r) => [r.slack, r.email, r.incident, r.emailReason])).toEqual([
      ["posted", "sent", "opened", "page"],
      ["replied", "sent", "joined", "resolution"],
      ["replied", "sent", "joined", "reopened"],
      ["replied", "sent", "joined", "resolution"],
    ]);
    expect(reports[0]?.graph).toBe("attached");
    const parent = posts(ports)[0];
    const ts = parent?.call === "post" ? parent.ref.ts : "?";
    expect(
      posts(ports)
        .slice(1)
        .map((c) => c.call === "post" && c.post.threadTs),
    ).toEqual([ts, ts, ts]);
    expect(ports.slack.calls.filter((c) => c.call === "update").map((c) => c.call === "update" && c.ref.ts)).toEqual([ts, ts, ts]);
    const last = ports.slack.calls.at(-1);
    expect(last?.call === "update" && JSON.stringify(last.payload.blocks)).toContain(
      "Repeated: ALARM 19:04 → OK 19:10 → ALARM 19:15 → OK 19:20 (4 events in 15 min, CEST; 17:04 → 17:10 → 17:15 → 17:20 UTC)",
    );
    expect(ports.email.sent.map((mail) => mail.subject.split(":")[0])).toEqual([
      "[CRITICAL] prod hands-off-ops",
      "[RESOLVED] prod hands-off-ops",
      "[CRITICAL] prod hands-off-ops",
      "[RESOLVED] prod hands-off-ops",
    ]);
    expect(ports.email.sent[2]?.body).toContain("Incident:       Back after it had ended. alarm:prod-hands-off-ops-Alb5xxRate");
  });

  it("e-mails nothing for a duplicate or a late delivery of an older state", async () => {
    const ports = fakePorts();
    const reports = [];
    for (const event of [0, 2, 1, 2, 3].map((i) => run[i] as (typeof run)[number]))
      reports.push(await deliver(messageOf(event), ports, PROD));
    expect(reports.map((r) => r.emailReason ?? null)).toEqual(["page", null, null, null, "resolution"]);
    expect(ports.email.sent).toHaveLength(2);
  });

  it("ends the same incident however long it stayed in ALARM; a new ALARM after a quiet window opens a new one", async () => {
    const ports = fakePorts();
    await deliver(messageOf(alarm), ports, PROD);
    const end = await deliver(messageOf(backToOk(alarm, "hours-later", "2019-10-02T21:00:00Z")), ports, PROD);
    expect(end).toMatchObject({ incident: "joined", emailReason: "resolution", slack: "replied" });
    const again = await deliver(messageOf({ ...alarm, id: "next-day", time: "2019-10-03T09:00:00Z" }), ports, PROD);
    expect(again).toMatchObject({ incident: "opened", emailReason: "page", slack: "posted" });
  });

  it("through a webhook, which cannot update, posts what e-mail readers are told: every change, not a repeated OK", async () => {
    const ports = fakePorts({ webhook: true });
    const reports = [];
    const okAgain = backToOk(alarm, "e-5", "2019-10-02T17:22:00Z");
    for (const event of [...run, okAgain]) reports.push(await deliver(messageOf(event), ports, PROD));
    expect(reports.map((r) => r.slack)).toEqual(["posted", "posted", "posted", "posted", "collapsed"]);
    expect(reports[0]?.graph).toBe("none");
  });
});

describe("one ALARM and its OK: one episode, dated from the ALARM", () => {
  const alarm = releaseAlarmEvent();
  const ok = backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z");
  const text = (ports: ReturnType<typeof fakePorts>) => [
    ...ports.slack.calls.map((c) =>
      c.call === "post" ? JSON.stringify(c.post.payload.blocks) : c.call === "update" ? JSON.stringify(c.payload.blocks) : "",
    ),
    ...ports.email.sent.map((mail) => mail.body),
  ];

  it("never reads 'Repeated' for a plain ALARM followed by its OK, in Slack or e-mail", async () => {
    const ports = fakePorts();
    await deliver(messageOf(alarm), ports, PROD);
    await deliver(messageOf(ok), ports, PROD);
    expect(ports.email.sent).toHaveLength(2);
    expect(ports.slack.calls.filter((c) => c.call === "update")).toHaveLength(1);
    for (const written of text(ports)) expect(written).not.toContain("Repeated");
  });

  it("dates an OK that arrives before its ALARM from the OK's previousState; the late ALARM neither repeats nor e-mails", async () => {
    const ports = fakePorts();
    const first = await deliver(messageOf(ok), ports, PROD);
    expect(first).toMatchObject({ incident: "opened", emailReason: "resolution" });
    // The sample's ALARM went in at 17:04:40 UTC: the incident began then, not at the OK's 17:10.
    expect(ports.email.sent[0]?.body).toContain(
      "Incident:       Resolved. alarm:prod-hands-off-ops-Alb5xxRate, opened 2019-10-02 19:04:40 CEST (17:04:40 UTC)",
    );
    expect((await ports.store.incident("alarm:prod-hands-off-ops-Alb5xxRate"))?.openedAt).toBe("2019-10-02T17:04:40.989Z");
    const late = await deliver(messageOf(alarm), ports, PROD);
    expect(late).toMatchObject({ incident: "joined" });
    expect(late.emailReason).toBeUndefined();
    expect(ports.email.sent).toHaveLength(1);
    // The ALARM's own event time (17:04:40Z) is its state's timestamp to the second: the start stays at the ALARM.
    expect((await ports.store.incident("alarm:prod-hands-off-ops-Alb5xxRate"))?.openedAt).toMatch(/^2019-10-02T17:04:40/);
    for (const written of text(ports)) expect(written).not.toContain("Repeated");
  });
});

describe("nothing lost, nothing twice", () => {
  it("delivers a duplicate event once", async () => {
    const ports = fakePorts();
    const message = messageOf(releaseAlarmEvent());
    await deliver(message, ports, PROD);
    await deliver(message, ports, PROD);
    expect(posts(ports)).toHaveLength(1);
    expect(ports.email.sent).toHaveLength(1);
  });

  it("e-mails even when Slack is down, fails the delivery, and on retry posts to Slack without e-mailing again", async () => {
    const ports = fakePorts();
    ports.slack.failWith = Object.assign(new Error("An HTTP protocol error occurred: statusCode = 503"), { name: "HTTPError" });
    const message = messageOf(releaseAlarmEvent());
    const failure = await deliver(message, ports, PROD).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).report).toMatchObject({ email: "sent", slack: "failed" });
    expect((failure as DeliveryError).message).toContain("HTTPError: An HTTP protocol error occurred: statusCode = 503");
    expect(ports.email.sent).toHaveLength(1);

    ports.slack.failWith = null;
    const retried = await deliver(message, ports, PROD);
    expect(retried).toMatchObject({ slack: "posted", email: "sent" });
    expect(ports.email.sent).toHaveLength(1);
    expect(posts(ports)).toHaveLength(1);
  });

  it("still posts to Slack when e-mail fails, then fails the delivery", async () => {
    const ports = fakePorts();
    ports.email.failWith = new Error("SNS throttled");
    const failure = (await deliver(messageOf(releaseAlarmEvent()), ports, PROD).catch((error: unknown) => error)) as DeliveryError;
    expect(failure.report).toMatchObject({ email: "failed", slack: "posted" });
  });

  it("e-mails only, and says so, while no Slack token is configured", async () => {
    const ports = { ...fakePorts(), slack: null };
    const report = await deliver(messageOf(releaseAlarmEvent()), ports, PROD);
    expect(report).toMatchObject({ slack: "not-configured", email: "sent" });
  });

  it("posts the message even when the graph cannot be drawn, and reports why", async () => {
    const ports = fakePorts({ graphs: fixedGraphs(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })) });
    const report = await deliver(messageOf(releaseAlarmEvent()), ports, PROD);
    expect(report).toMatchObject({ slack: "posted", graph: "failed: ThrottlingException: Rate exceeded" });
  });

  it("sends nothing for a message routed nowhere (a resolved alarm in dev, with no incident open)", async () => {
    const ports = fakePorts();
    const report = await deliver(messageOf(backToOk(releaseAlarmEvent(), "ok-dev", "2019-10-02T17:10:00Z")), ports, DEV);
    expect(report).toMatchObject({ eventId: "ok-dev", email: "not-routed", slack: "not-routed", graph: "none" });
    expect(ports.slack.calls).toEqual([]);
    expect(ports.email.sent).toEqual([]);
  });

  it("does no work at all for a message of no incident routed nowhere (a release start with Slack off)", async () => {
    const ports = fakePorts();
    const off = { ...PROD, slack: { ...PROD.slack, mode: "off" as const } };
    const report = await deliver(messageOf(deploymentEvent("START", "d-OFF")), ports, off);
    expect(report).toEqual({ eventId: expect.any(String), email: "not-routed", slack: "not-routed", graph: "none", incident: "no" });
    expect(ports.once.keys).toEqual([]);
  });

  it("routes a dev stage's messages to its quiet channel, without e-mail", async () => {
    const ports = fakePorts();
    const report = await deliver(messageOf(releaseAlarmEvent()), ports, DEV);
    expect(report).toMatchObject({ slack: "posted", email: "not-routed" });
    expect(posts(ports)[0]).toMatchObject({ post: { channel: "#ops-dev" } });
  });
});
