import type { AcceptedClick } from "@hands-off-ops/core/chatops/accept";
import { acknowledge } from "@hands-off-ops/core/chatops/acknowledge";
import type { ChatOpsAuditEntry } from "@hands-off-ops/core/chatops/audit";
import { doIt } from "@hands-off-ops/core/chatops/do-it";
import { buttonIssuer, type Ticket } from "@hands-off-ops/core/chatops/tickets";
import { deliver } from "@hands-off-ops/core/notify/deliver";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { backToOk, loadEvent, releaseAlarmEvent } from "../../fixtures/events";
import { fakePorts } from "../notify/fakes";
import { messageOf } from "../notify/message-of";

const PROD = stageSettings("prod", {}).notifications;
const KEY = "alarm:prod-hands-off-ops-Alb5xxRate";

function setUp() {
  const ports = fakePorts();
  const tickets: Ticket[] = [];
  const withButtons = { ...ports, buttons: buttonIssuer("prod", 24, { issue: async (t) => void tickets.push(t) }) };
  const audit: ChatOpsAuditEntry[] = [];
  const act = {
    store: ports.store,
    slack: ports.slack,
    audit: { record: async (e: ChatOpsAuditEntry) => void audit.push(e), trail: async () => audit },
  };
  const click = (ticket: Ticket, userId = "U0ALICE001"): AcceptedClick => ({
    ticket,
    userId,
    userName: "alice",
    at: "2019-10-02T17:06:00.000Z",
  });
  return { ports: withButtons, tickets, audit, act, click };
}

const blocksOf = (payload: unknown) => JSON.stringify((payload as { blocks: unknown }).blocks);

describe("Acknowledge", () => {
  it("is a button on a new incident's Slack message, carrying a ticket issued for that incident", async () => {
    const { ports, tickets } = setUp();
    await deliver(messageOf(releaseAlarmEvent()), ports, PROD);
    expect(tickets).toEqual([expect.objectContaining({ stage: "prod", action: "acknowledge", subject: KEY })]);
    const posted = ports.slack.calls[0];
    expect(posted?.call === "post" && blocksOf(posted.post.payload)).toContain(`"action_id":"hoo:acknowledge","value":"${tickets[0]?.id}"`);
    expect(ports.store.incidents.get(KEY)?.buttons).toEqual([{ action: "acknowledge", ticketId: tickets[0]?.id }]);
  });

  it("marks the incident taken: who and when on its message instead of the button, and in the audit trail", async () => {
    const { ports, tickets, audit, act, click } = setUp();
    await deliver(messageOf(releaseAlarmEvent()), ports, PROD);
    expect(await acknowledge(click(tickets[0] as Ticket), act)).toBe("acknowledged");
    const update = ports.slack.calls.at(-1);
    expect(update?.call).toBe("update");
    const blocks = update?.call === "update" ? blocksOf(update.payload) : "";
    expect(blocks).toContain("*Acknowledged*\\nby alice at 2019-10-02 19:06:00 CEST (17:06:00 UTC)");
    expect(blocks).not.toContain("hoo:acknowledge");
    expect(audit).toEqual([
      expect.objectContaining({ userId: "U0ALICE001", action: "acknowledge", subject: KEY, outcome: "acknowledged" }),
    ]);
    expect(await acknowledge(click(tickets[0] as Ticket, "U0BOB00001"), act)).toBe("already acknowledged");
  });

  it("stops the pages of its returns after an end; its end is still e-mailed", async () => {
    const { ports, tickets, act, click } = setUp();
    const alarm = releaseAlarmEvent();
    await deliver(messageOf(alarm), ports, PROD);
    await acknowledge(click(tickets[0] as Ticket), act);
    const reports = [];
    for (const event of [
      backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z"),
      { ...alarm, id: "again", time: "2019-10-02T17:15:00Z" },
      backToOk(alarm, "ok-2", "2019-10-02T17:20:00Z"),
    ])
      reports.push(await deliver(messageOf(event), ports, PROD));
    expect(reports.map((r) => r.emailReason ?? null)).toEqual(["resolution", null, null]);
  });

  it("says so when the incident is no longer known (expired)", async () => {
    const { tickets, act, click, ports } = setUp();
    await deliver(messageOf(releaseAlarmEvent()), ports, PROD);
    ports.store.incidents.clear();
    expect(await acknowledge(click(tickets[0] as Ticket), act)).toBe("not done: this incident is no longer known — nothing was changed");
  });

  it("leaves an incident that ended before the click is carried out as it is: its return still pages", async () => {
    const { ports, tickets, act, click, audit } = setUp();
    const alarm = releaseAlarmEvent();
    await deliver(messageOf(alarm), ports, PROD);
    await deliver(messageOf(backToOk(alarm, "ok-1", "2019-10-02T17:05:30Z")), ports, PROD);
    const before = ports.store.incidents.get(KEY);
    const updates = ports.slack.calls.length;
    expect(await acknowledge(click(tickets[0] as Ticket), act)).toBe(
      "not done: this incident ended at 19:05 CEST (17:05 UTC) — nothing was changed",
    );
    expect(ports.store.incidents.get(KEY)).toEqual(before);
    expect(ports.slack.calls).toHaveLength(updates);
    expect(audit.map((e) => e.outcome)).toEqual(["not done: this incident ended at 19:05 CEST (17:05 UTC) — nothing was changed"]);
    const back = await deliver(messageOf({ ...alarm, id: "again", time: "2019-10-02T17:10:30Z" }), ports, PROD);
    expect(back.emailReason).toBe("reopened");
  });
});

describe("Do it", () => {
  const dryRunNotice = (repeated = false) => {
    const notice = messageOf(loadEvent("automation-action"));
    return {
      ...notice,
      severity: "critical" as const,
      occurredAt: "2019-10-02T17:04:41Z",
      source: { ...notice.source, eventId: repeated ? "notice-2" : "notice-1" },
      thread: null,
      nextStep: "If the alarm is right, roll back by hand now: aws deploy create-deployment …",
      incident: {
        role: "step" as const,
        key: KEY,
        did: "Dry-run: would have rolled back release d-BAD to web:41; nothing was changed.",
        escalates: !repeated,
        deployments: [],
        ...(repeated ? {} : { offers: "do-it" as const }),
      },
    };
  };

  async function escalated() {
    const setup = setUp();
    await deliver(messageOf(releaseAlarmEvent()), setup.ports, PROD);
    await deliver(dryRunNotice(), setup.ports, PROD);
    await deliver(dryRunNotice(true), setup.ports, PROD);
    const asked: unknown[] = [];
    const act = {
      ...setup.act,
      rollback: {
        doIt: async (request: unknown) => {
          asked.push(request);
          return { decision: { action: "redeploy-previous" }, outcome: { kind: "rolled-back" } };
        },
      },
    };
    return { ...setup, act, asked };
  }

  it("is offered once on the incident's message when the automation only rehearsed its decision", async () => {
    const { ports, tickets } = await escalated();
    expect(tickets.map((t) => t.action)).toEqual(["acknowledge", "do-it"]);
    const update = ports.slack.calls.filter((c) => c.call === "update").at(-1);
    expect(update?.call === "update" && blocksOf(update.payload)).toContain('"text":"Do it"');
  });

  it("asks the rollback function to carry it out for the incident's alarm, naming who pressed; the presser takes the incident", async () => {
    const { act, asked, tickets, click, audit, ports } = await escalated();
    const ticket = tickets.find((t) => t.action === "do-it") as Ticket;
    expect(await doIt(click(ticket), act)).toBe("redeploy-previous → rolled-back");
    expect(asked).toEqual([
      { kind: "do-it", alarmName: "prod-hands-off-ops-Alb5xxRate", ticketId: ticket.id, requestedBy: "alice (U0ALICE001)" },
    ]);
    expect(ports.store.incidents.get(KEY)?.acknowledged?.by).toBe("U0ALICE001");
    expect(audit.at(-1)).toMatchObject({ action: "do-it", outcome: "redeploy-previous → rolled-back" });
    const blocks = blocksOf((ports.slack.calls.at(-1) as { payload: unknown }).payload);
    expect(blocks).not.toContain("hoo:do-it");
  });

  it("does nothing once the alarm is back to OK, and says what went wrong when the rollback function fails", async () => {
    const ended = await escalated();
    await deliver(messageOf(backToOk(releaseAlarmEvent(), "ok", "2019-10-02T17:09:00Z")), ended.ports, PROD);
    const ticket = ended.tickets.find((t) => t.action === "do-it") as Ticket;
    expect(await doIt(ended.click(ticket), ended.act)).toBe(
      "not done: this incident ended at 19:09 CEST (17:09 UTC) — nothing was changed",
    );
    expect(ended.asked).toEqual([]);

    const failing = await escalated();
    const act = { ...failing.act, rollback: { doIt: async () => Promise.reject(new Error("CodeDeploy throttled")) } };
    expect(await doIt(failing.click(failing.tickets.find((t) => t.action === "do-it") as Ticket), act)).toBe(
      "failed: CodeDeploy throttled",
    );
  });

  it("takes the incident only when the rollback function answered: a refusal or a failure leaves it paging", async () => {
    const ended = await escalated();
    await deliver(messageOf(backToOk(releaseAlarmEvent(), "ok", "2019-10-02T17:09:00Z")), ended.ports, PROD);
    await doIt(ended.click(ended.tickets.find((t) => t.action === "do-it") as Ticket), ended.act);
    expect(ended.ports.store.incidents.get(KEY)?.acknowledged).toBeUndefined();
    const back = await deliver(messageOf({ ...releaseAlarmEvent(), id: "again", time: "2019-10-02T17:14:00Z" }), ended.ports, PROD);
    expect(back.emailReason).toBe("reopened");

    const failing = await escalated();
    const act = { ...failing.act, rollback: { doIt: async () => Promise.reject(new Error("CodeDeploy throttled")) } };
    await doIt(failing.click(failing.tickets.find((t) => t.action === "do-it") as Ticket), act);
    expect(failing.ports.store.incidents.get(KEY)?.acknowledged).toBeUndefined();
  });
});
