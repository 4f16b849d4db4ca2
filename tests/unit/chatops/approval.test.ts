import { type Answer, type ApprovalRecord, type ApprovalStore, settleApproval } from "@hands-off-ops/core/chatops/approval";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/**
 * The approval gate's single decision. The store here is a stand-in with
 * DynamoDB's semantics for one item (a conditional write either wins whole or
 * fails); the DynamoDB adapter itself is tested on moto in
 * tests/integration/slack-actions.test.ts.
 */

const OPENED = "2026-11-24T16:00:00.000Z";
const DEADLINE = "2026-11-24T16:30:00.000Z";
const at = (iso: string) => new Date(iso);
const BEFORE = at("2026-11-24T16:10:00.000Z");
const AFTER = at("2026-11-24T16:30:02.000Z");
// The stage's zone (CET in November): refusals tell their times in it, with UTC beside.
const ZONE = "Europe/Berlin";

function gate(onDeadline: "Failed" | "Succeeded" = "Failed"): ApprovalRecord {
  return {
    deploymentId: "d-GATED0001",
    executionId: "exec-1",
    hook: "AfterAllowTestTraffic",
    openedAt: OPENED,
    deadline: DEADLINE,
    onDeadline,
  };
}

function memoryApprovals(records: ApprovalRecord[] = [gate()]): ApprovalStore & { items: Map<string, ApprovalRecord> } {
  const items = new Map(records.map((r) => [r.deploymentId, structuredClone(r)]));
  return {
    items,
    async open(record) {
      if (items.has(record.deploymentId)) return false;
      items.set(record.deploymentId, structuredClone(record));
      return true;
    },
    async get(id) {
      const item = items.get(id);
      return item ? structuredClone(item) : undefined;
    },
    async decide(id, decided) {
      const item = items.get(id);
      if (!item || item.decided) return false;
      item.decided = decided;
      return true;
    },
    async claimReport(id, at, staleBefore) {
      const item = items.get(id);
      if (!item?.decided || item.reported || (item.reporting && item.reporting >= staleBefore)) return false;
      item.reporting = at;
      return true;
    },
    async markReported(id) {
      const item = items.get(id);
      if (item) item.reported = true;
    },
  };
}

function reports() {
  const calls: { deploymentId: string; executionId: string; status: string }[] = [];
  return {
    calls,
    report: async (deploymentId: string, executionId: string, status: string) => void calls.push({ deploymentId, executionId, status }),
  };
}

const click = (status: "Succeeded" | "Failed", by: string, requestId: string): Answer => ({ kind: "click", status, by, requestId });

describe("the approval gate", () => {
  it("reports a person's Approve to CodeDeploy for the waiting execution, once", async () => {
    const approvals = memoryApprovals();
    const { calls, report } = reports();
    const settled = await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, BEFORE, ZONE);
    expect(settled).toMatchObject({ kind: "reported", decided: { status: "Succeeded", by: "alice" } });
    expect(calls).toEqual([{ deploymentId: "d-GATED0001", executionId: "exec-1", status: "Succeeded" }]);
    expect(approvals.items.get("d-GATED0001")).toMatchObject({ reported: true });
  });

  it("tells the second person who decided first, and reports nothing more", async () => {
    const approvals = memoryApprovals();
    const { calls, report } = reports();
    await settleApproval("d-GATED0001", click("Failed", "bob", "t-2"), { approvals, report }, BEFORE, ZONE);
    const second = await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, BEFORE, ZONE);
    expect(second).toMatchObject({ kind: "refused", reason: "already rejected by bob at 17:10 CET (16:10 UTC)" });
    expect(calls.map((c) => c.status)).toEqual(["Failed"]);
  });

  it("tells a UTC stage's times in UTC alone", async () => {
    const approvals = memoryApprovals();
    const { report } = reports();
    await settleApproval("d-GATED0001", click("Failed", "bob", "t-2"), { approvals, report }, BEFORE, "UTC");
    expect(await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, BEFORE, "UTC")).toMatchObject({
      reason: "already rejected by bob at 16:10 UTC",
    });
    expect(
      await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals: memoryApprovals(), report }, AFTER, "UTC"),
    ).toMatchObject({ reason: "too late: the approval's deadline passed at 16:30 UTC" });
  });

  it("takes the stage's default at the deadline, and says nobody answered", async () => {
    const approvals = memoryApprovals([gate("Failed")]);
    const { calls, report } = reports();
    const settled = await settleApproval("d-GATED0001", { kind: "deadline", requestId: "deadline" }, { approvals, report }, AFTER, ZONE);
    expect(settled).toMatchObject({ kind: "reported", decided: { status: "Failed", by: "nobody before the deadline" } });
    expect(calls.map((c) => c.status)).toEqual(["Failed"]);
  });

  it("refuses a click after the deadline, and a deadline run before it", async () => {
    const { calls, report } = reports();
    expect(
      await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals: memoryApprovals(), report }, AFTER, ZONE),
    ).toMatchObject({
      kind: "refused",
      reason: "too late: the approval's deadline passed at 17:30 CET (16:30 UTC)",
    });
    expect(
      await settleApproval(
        "d-GATED0001",
        { kind: "deadline", requestId: "deadline" },
        { approvals: memoryApprovals(), report },
        BEFORE,
        ZONE,
      ),
    ).toMatchObject({ kind: "refused", reason: "the deadline is 17:30 CET (16:30 UTC), not yet" });
    expect(calls).toEqual([]);
  });

  it("says so for a release with no gate open", async () => {
    const { report } = reports();
    expect(
      await settleApproval("d-OTHER0001", click("Succeeded", "alice", "t-1"), { approvals: memoryApprovals(), report }, BEFORE, ZONE),
    ).toEqual({
      kind: "refused",
      reason: "no approval is waiting for release d-OTHER0001",
    });
  });

  it("lets the decider's own retry report after its first attempt failed to, once the attempt's lease is over", async () => {
    const approvals = memoryApprovals();
    let failing = true;
    const calls: string[] = [];
    const report = async (_d: string, _e: string, status: string) => {
      if (failing) throw new Error("throttled");
      calls.push(status);
    };
    await expect(settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, BEFORE, ZONE)).rejects.toThrow(
      "throttled",
    );
    failing = false;
    // Within the lease, a second delivery of the same decision does not report over the first.
    expect(await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, BEFORE, ZONE)).toMatchObject({
      kind: "refused",
      reason: "another delivery of this decision is reporting it",
    });
    const later = new Date(BEFORE.getTime() + 61_000);
    // Another person's click meanwhile may not report: the decision is alice's.
    expect(await settleApproval("d-GATED0001", click("Failed", "bob", "t-2"), { approvals, report }, later, ZONE)).toMatchObject({
      kind: "refused",
    });
    expect(await settleApproval("d-GATED0001", click("Succeeded", "alice", "t-1"), { approvals, report }, later, ZONE)).toMatchObject({
      kind: "reported",
    });
    expect(calls).toEqual(["Succeeded"]);
  });

  it("reports exactly once, the first accepted answer, whatever the order of clicks, deadline and repeated deliveries (property)", async () => {
    const answerArb = fc.oneof(
      fc.record({
        kind: fc.constant("click" as const),
        status: fc.constantFrom("Succeeded" as const, "Failed" as const),
        by: fc.constantFrom("alice", "bob", "carol"),
        // A repeated delivery of one click carries the same ticket id.
        requestId: fc.constantFrom("t-1", "t-2", "t-3"),
        late: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("deadline" as const), requestId: fc.constant("deadline"), late: fc.constant(true) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(answerArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom("Failed", "Succeeded"),
        async (s, answers, onDeadline) => {
          const approvals = memoryApprovals([gate(onDeadline as "Failed" | "Succeeded")]);
          // Every store call and every report waits for the scheduler: any interleaving of the settlements is tried.
          const scheduled: ApprovalStore = {
            open: s.scheduleFunction(approvals.open),
            get: s.scheduleFunction(approvals.get),
            decide: s.scheduleFunction(approvals.decide),
            claimReport: s.scheduleFunction(approvals.claimReport),
            markReported: s.scheduleFunction(approvals.markReported),
          };
          const calls: string[] = [];
          const report = s.scheduleFunction(async (_d: string, _e: string, status: string) => void calls.push(status));
          // A click's ticket is one person's: the same ticket always carries the same answer.
          const byTicket = new Map<string, Answer>();
          const runs = answers.map((a) => {
            const answer: Answer = a.kind === "deadline" ? a : (byTicket.get(a.requestId) ?? click(a.status, a.by, a.requestId));
            byTicket.set(answer.requestId, answer);
            return settleApproval("d-GATED0001", answer, { approvals: scheduled, report }, a.late ? AFTER : BEFORE, ZONE);
          });
          await s.waitAll();
          const results = await Promise.all(runs);
          const decided = approvals.items.get("d-GATED0001")?.decided;
          const reportedRuns = results.filter((r) => r.kind === "reported");
          if (!decided) {
            // Only late clicks came: nobody may decide but the deadline.
            expect(calls).toEqual([]);
            return;
          }
          expect(calls).toEqual([decided.status]);
          expect(new Set(reportedRuns.map((r) => r.kind === "reported" && r.decided.requestId))).toEqual(new Set([decided.requestId]));
          if (decided.requestId === "deadline") expect(decided.status).toBe(onDeadline);
          else
            expect(decided.status).toBe(
              byTicket.get(decided.requestId)?.kind === "click" && (byTicket.get(decided.requestId) as { status: string }).status,
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});
