import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { AcceptedClick } from "@hands-off-ops/core/chatops/accept";
import type { ApprovalRecord, ApprovalStore } from "@hands-off-ops/core/chatops/approval";
import type { ChatOpsAuditEntry } from "@hands-off-ops/core/chatops/audit";
import { type CarryOutPorts, carryOut } from "@hands-off-ops/core/chatops/carry-out";
import { ApprovalRequest, openGate } from "@hands-off-ops/core/chatops/gate";
import { buttonIssuer, subjects, type Ticket } from "@hands-off-ops/core/chatops/tickets";
import { deliver } from "@hands-off-ops/core/notify/deliver";
import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import { renderSlack } from "@hands-off-ops/core/notify/render/slack";
import { type AutomationNotice, automationEntry } from "@hands-off-ops/core/notify/sources/automation";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { deploymentEvent } from "../../fixtures/events";
import { fakePorts } from "../notify/fakes";
import { messageOf } from "../notify/message-of";
import { approvalRequest } from "./signed-requests";

/**
 * The buttons outside incidents, from the message that offers them to what a
 * press does: the notifier issues each button's ticket for what it acts on;
 * the worker acts on the ticket's subject through the path the automation
 * uses, writes the audit, and shows the result in place of the buttons.
 */

const PROD = stageSettings("prod", {}).notifications;
const RELEASE = "d-123456789";
const AT = "2026-11-24T16:10:00.000Z";

function notifiedAs(notice: AutomationNotice): OpsMessage {
  const entry = automationEntry(notice);
  return messageOf({
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: "123456789012",
    time: AT,
    region: "eu-central-1",
    resources: [],
    detail: JSON.parse(entry.Detail),
  });
}

function setUp(over: Partial<CarryOutPorts> = {}) {
  const notify = fakePorts();
  const tickets: Ticket[] = [];
  const ports = { ...notify, buttons: buttonIssuer("prod", 24, { issue: async (t) => void tickets.push(t) }, () => new Date(AT)) };
  const audit: ChatOpsAuditEntry[] = [];
  const asked: unknown[] = [];
  const replaced: { blocks: Record<string, unknown>[]; text: string }[] = [];
  const notices: AutomationNotice[] = [];
  const reports: string[] = [];
  const approvals = memoryApprovals();
  const act: CarryOutPorts = {
    store: notify.store,
    slack: notify.slack,
    audit: { record: async (e) => void audit.push(e), trail: async () => audit },
    rollback: {
      doIt: async () => Promise.reject(new Error("not in these tests")),
      rollBack: async (request) => {
        asked.push(request);
        return { decision: { action: "stop-deployment", why: "alice asked" }, outcome: { kind: "stopped" } };
      },
    },
    releases: {
      finishNow: async (id) => {
        asked.push({ finishNow: id });
        return "finished";
      },
    },
    schedule: {
      keepAwake: async (minutes, reason, wakeOnly) => {
        asked.push({ keepAwake: minutes, reason, wakeOnly });
        return "waking up; kept awake until 19:10 CET (18:10 UTC)";
      },
    },
    approvals,
    report: async (_d, _e, status) => void reports.push(status),
    notify: async (notice) => void notices.push(notice),
    shown: { replace: async (_url, blocks, text) => void replaced.push({ blocks, text }) },
    timeZone: "Europe/Berlin",
    ...over,
  };
  /** A press of the posted message's button, as accept.ts hands it on (with the blocks Slack showed). */
  const press = (action: string, at = AT): AcceptedClick => {
    const ticket = tickets.find((t) => t.action === action) as Ticket;
    const posted = lastPost(notify.slack.calls);
    return {
      ticket,
      userId: "U0ALICE001",
      userName: "alice",
      at,
      shown: { responseUrl: "https://hooks.slack.com/actions/T0TEAM0001/1/abc", blocks: posted },
    };
  };
  return { ports, act, tickets, audit, asked, replaced, notices, reports, approvals, press, slack: notify.slack };
}

function memoryApprovals(): ApprovalStore & { items: Map<string, ApprovalRecord> } {
  const items = new Map<string, ApprovalRecord>();
  return {
    items,
    open: async (r) => {
      if (items.has(r.deploymentId)) return false;
      items.set(r.deploymentId, { ...r });
      return true;
    },
    get: async (id) => (items.get(id) ? { ...(items.get(id) as ApprovalRecord) } : undefined),
    decide: async (id, decided) => {
      const item = items.get(id);
      if (!item || item.decided) return false;
      item.decided = decided;
      return true;
    },
    claimReport: async (id, at) => {
      const item = items.get(id);
      if (!item?.decided || item.reported || item.reporting) return false;
      item.reporting = at;
      return true;
    },
    markReported: async (id) => {
      const item = items.get(id);
      if (item) item.reported = true;
    },
  };
}

type Calls = ReturnType<typeof fakePorts>["slack"]["calls"];
/** The blocks of the last message posted, as Slack would show them to the presser. */
const lastPost = (calls: Calls) => {
  const post = calls.filter((c) => c.call === "post").at(-1);
  return (post?.call === "post" ? post.post.payload.blocks : []) as unknown as Record<string, unknown>[];
};

const buttonTexts = (blocks: Record<string, unknown>[]) =>
  blocks.flatMap((b) => (b.type === "actions" ? (b.elements as { text: { text: string } }[]).map((e) => e.text.text) : []));

describe("Roll back now, on a release's first message", () => {
  it("is offered while the release runs, with a ticket for that release; CodeDeploy's outcome replaces it", async () => {
    const { ports, tickets, slack } = setUp();
    await deliver(messageOf(deploymentEvent("START", RELEASE)), ports, PROD);
    expect(tickets).toEqual([expect.objectContaining({ action: "roll-back", subject: `release:${RELEASE}`, stage: "prod" })]);
    expect(buttonTexts(lastPost(slack.calls))).toContain("Roll back now");

    await deliver(messageOf(deploymentEvent("SUCCESS", RELEASE, "9d3a8c1e-0000-4000-8000-000000000001")), ports, PROD);
    const update = slack.calls.filter((c) => c.call === "update").at(-1);
    expect(update?.call === "update" && JSON.stringify(update.payload.blocks)).toContain("Release d-123456789 succeeded");
    expect(update?.call === "update" && buttonTexts(update.payload.blocks as unknown as Record<string, unknown>[])).not.toContain(
      "Roll back now",
    );
  });

  it("asks the rollback function to roll back the ticket's release, naming who pressed, and shows the result instead of the button", async () => {
    const setup = setUp();
    await deliver(messageOf(deploymentEvent("START", RELEASE)), setup.ports, PROD);
    const outcome = await carryOut(setup.press("roll-back"), setup.act);
    expect(setup.asked).toEqual([
      { kind: "roll-back", deploymentId: RELEASE, ticketId: setup.tickets[0]?.id, requestedBy: "alice (U0ALICE001)" },
    ]);
    expect(outcome).toBe(`stopped release ${RELEASE} with rollback: CodeDeploy is sending traffic back to the previous version`);
    expect(setup.audit).toEqual([expect.objectContaining({ action: "roll-back", subject: `release:${RELEASE}`, outcome })]);
    const shown = setup.replaced[0];
    expect(shown && buttonTexts(shown.blocks)).not.toContain("Roll back now");
    // Link buttons stay.
    expect(shown && buttonTexts(shown.blocks)).toContain("Deployment");
    expect(shown?.text).toBe(`<@U0ALICE001> pressed *Roll back* at 2026-11-24 17:10:00 CET (16:10:00 UTC): ${outcome}`);
  });

  it("says what went wrong when the rollback function fails, in the audit and on the message", async () => {
    const setup = setUp({
      rollback: { doIt: async () => Promise.reject(new Error("no")), rollBack: async () => Promise.reject(new Error("throttled")) },
    });
    await deliver(messageOf(deploymentEvent("START", RELEASE)), setup.ports, PROD);
    expect(await carryOut(setup.press("roll-back"), setup.act)).toBe("failed: throttled");
    expect(setup.audit[0]?.outcome).toBe("failed: throttled");
  });
});

describe("Finish now and Roll back, once users are on the new version", () => {
  const passedAfterAllowTraffic = (blueWaitMinutes: number) =>
    verdictNotice(
      "prod",
      { hook: "AfterAllowTraffic", deploymentId: RELEASE, executionId: "exec-9" },
      { hook: "AfterAllowTraffic", status: "Succeeded", reason: "2 smoke checks passed", smoke: null, comparison: null },
      0.01,
      blueWaitMinutes,
    );

  it("are offered by the last hook's verdict while the previous version's tasks are kept, and not when none are", async () => {
    const kept = setUp();
    await deliver(notifiedAs(passedAfterAllowTraffic(60)), kept.ports, PROD);
    expect(kept.tickets.map((t) => [t.action, t.subject])).toEqual([
      ["finish-now", `release:${RELEASE}`],
      ["roll-back", `release:${RELEASE}`],
    ]);
    expect(passedAfterAllowTraffic(60).actionsTaken?.[0]).toContain("the previous version's tasks are kept 60 min");

    const none = setUp();
    await deliver(notifiedAs(passedAfterAllowTraffic(0)), none.ports, PROD);
    expect(none.tickets).toEqual([]);
  });

  it("Finish now ends the wait of the ticket's release", async () => {
    const setup = setUp();
    await deliver(notifiedAs(passedAfterAllowTraffic(60)), setup.ports, PROD);
    expect(await carryOut(setup.press("finish-now"), setup.act)).toBe(
      `release ${RELEASE} finishes now: the previous version's tasks are ended`,
    );
    expect(setup.asked).toEqual([{ finishNow: RELEASE }]);
    expect(buttonTexts(setup.replaced[0]?.blocks ?? [])).toEqual([]);
  });

  it("Finish now on a release that has already finished says so", async () => {
    const setup = setUp({ releases: { finishNow: async () => "already-finished" } });
    await deliver(notifiedAs(passedAfterAllowTraffic(60)), setup.ports, PROD);
    expect(await carryOut(setup.press("finish-now"), setup.act)).toBe(`not done: release ${RELEASE} had already finished`);
  });
});

describe("Wake now and Keep awake, on sleep notices", () => {
  const asleep: AutomationNotice = {
    stage: "prod",
    actor: "schedule",
    severity: "info",
    title: "dev is asleep until Mon 07:30",
    summary: "Outside working hours: the service is scaled to zero.",
    offers: [{ action: "keep-awake", subject: subjects.wake("prod"), label: "Wake now for 2 h" }],
  };

  it("asks the schedule function to keep the stage awake for two hours, saying who pressed", async () => {
    const setup = setUp();
    await deliver(notifiedAs(asleep), setup.ports, PROD);
    expect(buttonTexts(lastPost(setup.slack.calls))).toContain("Wake now for 2 h");
    expect(await carryOut(setup.press("keep-awake"), setup.act)).toBe("waking up; kept awake until 19:10 CET (18:10 UTC)");
    // Wake now: the schedule function changes nothing if the stage is awake by the time of the press.
    expect(setup.asked).toEqual([{ keepAwake: 120, reason: "alice pressed Wake now in Slack", wakeOnly: true }]);
  });

  it("says so on a stage without a schedule", async () => {
    const setup = setUp({ schedule: null });
    await deliver(notifiedAs(asleep), setup.ports, PROD);
    expect(await carryOut(setup.press("keep-awake"), setup.act)).toBe("not done: this stage has no sleep schedule");
  });

  it("are not offered where Slack cannot take clicks (a webhook, or no interactivity)", async () => {
    const setup = setUp();
    await deliver(notifiedAs(asleep), { ...setup.ports, buttons: null }, PROD);
    expect(setup.tickets).toEqual([]);
    expect(buttonTexts(lastPost(setup.slack.calls))).not.toContain("Wake now for 2 h");
  });
});

describe("the approval gate, as people see it", () => {
  const request = ApprovalRequest.parse(approvalRequest(RELEASE, "exec-7"));

  async function waiting(over: Partial<CarryOutPorts> = {}) {
    const setup = setUp(over);
    const gatePorts = { ...setup.act, deadlines: { at: async () => "scheduled" as const } };
    expect(await openGate(request, gatePorts, new Date(AT), "Europe/Berlin")).toBe("waiting");
    await deliver(notifiedAs(setup.notices[0] as AutomationNotice), setup.ports, PROD);
    return setup;
  }

  it("posts the hook's evidence with Approve and Reject, valid until the deadline, and reports nothing yet", async () => {
    const setup = await waiting();
    expect(setup.reports).toEqual([]);
    const notice = setup.notices[0];
    expect(notice?.facts).toEqual([{ label: "p95 new / current", value: "41 ms / 40 ms, Mann-Whitney p 0.61" }]);
    expect(notice?.actionsTaken).toEqual([
      "Reported nothing to CodeDeploy yet: the release waits at AfterAllowTestTraffic for a person until 2026-11-24 17:40:00 CET (16:40:00 UTC).",
      "Without an answer by then, CodeDeploy is told Failed (canary.approval.onDeadline).",
    ]);
    expect(setup.tickets.map((t) => [t.action, t.subject, t.expiresAt])).toEqual([
      ["approve", `approval:${RELEASE}`, "2026-11-24T16:40:00.000Z"],
      ["reject", `approval:${RELEASE}`, "2026-11-24T16:40:00.000Z"],
    ]);
    const rendered = JSON.stringify(renderSlack(notifiedAs(notice as AutomationNotice)));
    expect(rendered).toContain("waits for approval");
  });

  it("Approve reports Succeeded and tells the thread who approved; a later Reject is told it came too late", async () => {
    const setup = await waiting();
    expect(await carryOut(setup.press("approve"), setup.act)).toBe("approved: CodeDeploy was told Succeeded");
    expect(setup.reports).toEqual(["Succeeded"]);
    expect(setup.notices.at(-1)).toMatchObject({
      title: `Release ${RELEASE} approved by alice`,
      actionsTaken: ["Reported Succeeded to CodeDeploy for AfterAllowTestTraffic: the release goes on."],
      thread: { deploymentId: RELEASE, role: "reply" },
    });
    const reject = { ...setup.press("reject"), userId: "U0BOB00001", userName: "bob" };
    expect(await carryOut(reject, setup.act)).toBe("not done: already approved by alice at 17:10 CET (16:10 UTC)");
    expect(setup.reports).toEqual(["Succeeded"]);
  });

  it("a Reject after the deadline is refused; the deadline's own run reports the default", async () => {
    const setup = await waiting();
    expect(await carryOut(setup.press("reject", "2026-11-24T16:41:00.000Z"), setup.act)).toBe(
      "not done: too late: the approval's deadline passed at 17:40 CET (16:40 UTC)",
    );
    expect(setup.reports).toEqual([]);
  });

  it("fails the release at once when the gate cannot open (its deadline could not be scheduled)", async () => {
    const setup = setUp();
    const gatePorts = { ...setup.act, deadlines: { at: async () => Promise.reject(new Error("AccessDenied")) } };
    expect(await openGate(request, gatePorts, new Date(AT), "Europe/Berlin")).toBe("failed: Error: AccessDenied");
    expect(setup.reports).toEqual(["Failed"]);
    expect(setup.notices.at(-1)).toMatchObject({
      severity: "critical",
      title: `Release ${RELEASE} failed: its approval gate could not open`,
    });
  });

  it("fails the release at once when the gate's record cannot be written, and opens once for a repeated request", async () => {
    const setup = setUp();
    const broken = { ...setup.approvals, open: async () => Promise.reject(new Error("throttled")) };
    const gatePorts = { ...setup.act, approvals: broken, deadlines: { at: async () => "scheduled" as const } };
    expect(await openGate(request, gatePorts, new Date(AT), "Europe/Berlin")).toBe("failed: Error: throttled");
    expect(setup.reports).toEqual(["Failed"]);

    const twice = setUp();
    const ports = { ...twice.act, deadlines: { at: async () => "scheduled" as const } };
    expect(await openGate(request, ports, new Date(AT), "Europe/Berlin")).toBe("waiting");
    expect(await openGate(request, ports, new Date(AT), "Europe/Berlin")).toBe("already open");
    expect(twice.notices).toHaveLength(1);
  });
});
