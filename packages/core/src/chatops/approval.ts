import type { HookStatus } from "../canary/ports";
import { formatClock } from "../text/time";

/**
 * The approval gate: a lifecycle hook whose checks passed leaves its verdict
 * to a person. The hook opens the gate (a record in the state table and a
 * one-time schedule at the deadline) and returns without reporting; the
 * verdict is then reported by whoever settles the gate first — an Approve or
 * Reject click, or the deadline with the stage's default. The conditional
 * write of `decided` makes exactly one of them the decider, whatever races:
 * two people, a click at the deadline, a repeated delivery. Only the decider
 * reports, and one delivery of it at a time: a second conditional write
 * (`reporting`, a one-minute lease) keeps two simultaneous deliveries of the
 * same decision from both reporting. A decider that crashed mid-report is
 * retried after the lease; should it have reported already, CodeDeploy
 * refuses the second report as already completed (aws/hook-status.ts)
 * and the first stands.
 */

/** The event a hook sends to ask for approval (chatops/gate.ts), and the rule matches. */
export const APPROVAL_DETAIL_TYPE = "Approval Requested";

export interface ApprovalRecord {
  deploymentId: string;
  /** The lifecycle hook execution that waits for the verdict. */
  executionId: string;
  hook: string;
  openedAt: string;
  deadline: string;
  onDeadline: HookStatus;
  decided?: Decided;
  /** When a delivery of the decision took the report on (a lease). */
  reporting?: string;
  reported?: boolean;
}

export interface Decided {
  status: HookStatus;
  /** Who decided: a person's name, or why nobody did ("the deadline"). */
  by: string;
  at: string;
  /** The request that decided: its own retries may report, nobody else's. */
  requestId: string;
}

export interface ApprovalStore {
  /** Opens the gate unless it is already open for this release (a repeated hook invocation keeps the first). */
  open(record: ApprovalRecord): Promise<boolean>;
  get(deploymentId: string): Promise<ApprovalRecord | undefined>;
  /** Records the decision unless one is recorded already; true when this one was. */
  decide(deploymentId: string, decided: Decided): Promise<boolean>;
  /** Takes the report on unless it is reported, or another delivery took it on since `staleBefore`. */
  claimReport(deploymentId: string, at: string, staleBefore: string): Promise<boolean>;
  markReported(deploymentId: string): Promise<void>;
}

export interface SettlePorts {
  approvals: ApprovalStore;
  report(deploymentId: string, executionId: string, status: HookStatus): Promise<unknown>;
}

/** A person's answer, the deadline's default, or the gate failing to open (Failed, at once). */
export type Answer =
  | { kind: "click"; status: HookStatus; by: string; requestId: string }
  | { kind: "deadline"; requestId: string }
  | { kind: "gate-error"; error: string; requestId: string };

export type Settled =
  | { kind: "reported"; decided: Decided; record: ApprovalRecord }
  | { kind: "refused"; reason: string; record?: ApprovalRecord };

/** A deadline run this early is a clock's doing, not the deadline's. */
const DEADLINE_TOLERANCE_MS = 5_000;
/** Longer than a report takes (one CodeDeploy call), shorter than a retried delivery's wait. */
const REPORT_LEASE_MS = 60_000;

/** Settles the gate with one answer; a refusal's times are in the stage's zone, with UTC beside. */
export async function settleApproval(
  deploymentId: string,
  answer: Answer,
  ports: SettlePorts,
  now: Date,
  timeZone: string,
): Promise<Settled> {
  let record = await ports.approvals.get(deploymentId);
  if (!record) return { kind: "refused", reason: `no approval is waiting for release ${deploymentId}` };
  if (!record.decided) {
    const early = earlyOrLate(record, answer, now, timeZone);
    if (early) return { kind: "refused", reason: early, record };
    const decided = decisionOf(record, answer, now);
    if (await ports.approvals.decide(deploymentId, decided)) record = { ...record, decided };
    else record = await ports.approvals.get(deploymentId);
    if (!record?.decided) throw new Error(`The approval of ${deploymentId} lost its decision while being settled`);
  }
  const { decided } = record;
  if (decided.requestId !== answer.requestId)
    return {
      kind: "refused",
      reason: `already ${verdictWord(decided.status)} by ${decided.by} at ${formatClock(decided.at, timeZone, now)}`,
      record,
    };
  if (!record.reported) {
    const staleBefore = new Date(now.getTime() - REPORT_LEASE_MS).toISOString();
    if (!(await ports.approvals.claimReport(deploymentId, now.toISOString(), staleBefore)))
      return { kind: "refused", reason: "another delivery of this decision is reporting it", record };
    await ports.report(record.deploymentId, record.executionId, decided.status);
    await ports.approvals.markReported(deploymentId);
  }
  return { kind: "reported", decided, record };
}

/** A click after the deadline is too late (the deadline's default wins); a deadline run before it is refused. */
function earlyOrLate(record: ApprovalRecord, answer: Answer, now: Date, timeZone: string): string | null {
  const deadline = Date.parse(record.deadline);
  if (answer.kind === "click" && now.getTime() > deadline)
    return `too late: the approval's deadline passed at ${formatClock(record.deadline, timeZone, now)}`;
  if (answer.kind === "deadline" && now.getTime() < deadline - DEADLINE_TOLERANCE_MS)
    return `the deadline is ${formatClock(record.deadline, timeZone, now)}, not yet`;
  return null;
}

function decisionOf(record: ApprovalRecord, answer: Answer, now: Date): Decided {
  const at = now.toISOString();
  if (answer.kind === "click") return { status: answer.status, by: answer.by, at, requestId: answer.requestId };
  if (answer.kind === "deadline") return { status: record.onDeadline, by: "nobody before the deadline", at, requestId: answer.requestId };
  return { status: "Failed", by: `the gate, which could not wait (${answer.error})`.slice(0, 300), at, requestId: answer.requestId };
}

export const verdictWord = (status: HookStatus) => (status === "Succeeded" ? "approved" : "rejected");
