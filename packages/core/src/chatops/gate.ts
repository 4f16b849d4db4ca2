import type { HookStatus } from "../canary/ports";
import { AUTOMATION_SOURCE, AutomationNotice } from "../notify/sources/automation";
import { formatTime } from "../text/time";
import * as z from "../zod";
import {
  type Answer,
  APPROVAL_DETAIL_TYPE,
  type ApprovalRecord,
  type ApprovalStore,
  type Decided,
  type Settled,
  type SettlePorts,
  settleApproval,
  verdictWord,
} from "./approval";

export { APPROVAL_DETAIL_TYPE };

import { subjects } from "./tickets";

/**
 * How a hook asks for a person's approval, and what the Slack actions
 * function does with it. The hook runs in the Service stack, before the state
 * table exists; so it sends this request on the default bus and returns
 * without reporting, and the Slack actions function (next to the table)
 * opens the gate: the record, the deadline's schedule and the message with
 * Approve / Reject. Should that fail, it reports Failed at once; should the
 * request never arrive, CodeDeploy's own one-hour hook limit fails the release.
 */

export const ApprovalRequest = z.strictObject({
  stage: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.regex(/^d-[A-Z0-9]+$/)),
  executionId: z.string().check(z.minLength(1)).check(z.maxLength(2000)),
  hook: z.string().check(z.minLength(1)).check(z.maxLength(40)),
  deadlineMinutes: z.number().check(z.int()).check(z.gte(1)).check(z.lte(55)),
  onDeadline: z.enum(["Succeeded", "Failed"]),
  /** The hook's verdict with its evidence, as it would have been posted. */
  evidence: AutomationNotice,
});
export type ApprovalRequest = z.input<typeof ApprovalRequest>;

/** The PutEvents entry a hook sends to ask for approval. */
export function approvalRequestEntry(request: ApprovalRequest) {
  return { Source: AUTOMATION_SOURCE, DetailType: APPROVAL_DETAIL_TYPE, Detail: JSON.stringify(ApprovalRequest.parse(request)) };
}

export interface GatePorts extends SettlePorts {
  approvals: ApprovalStore;
  deadlines: { at(deploymentId: string, deadline: Date): Promise<unknown> };
  notify(notice: AutomationNotice): Promise<void>;
}

export type GateOpened = "waiting" | "already open" | `failed: ${string}`;

export async function openGate(
  request: z.output<typeof ApprovalRequest>,
  ports: GatePorts,
  now: Date,
  timeZone: string,
): Promise<GateOpened> {
  const { deploymentId, executionId, hook, onDeadline } = request;
  const deadline = new Date(now.getTime() + request.deadlineMinutes * 60_000);
  const record: ApprovalRecord = {
    deploymentId,
    executionId,
    hook,
    openedAt: now.toISOString(),
    deadline: deadline.toISOString(),
    onDeadline,
  };
  let opened: boolean;
  try {
    opened = await ports.approvals.open(record);
  } catch (error) {
    // Without a record nobody else can decide: this is the only verdict there will be.
    await ports.report(deploymentId, executionId, "Failed");
    return failedToOpen(request, ports, `${(error as Error).name}: ${(error as Error).message}`);
  }
  if (!opened) return "already open";
  try {
    await ports.deadlines.at(deploymentId, deadline);
    await ports.notify(waitingNotice(request, record, timeZone));
    return "waiting";
  } catch (error) {
    const reason = `${(error as Error).name}: ${(error as Error).message}`;
    await settleApproval(deploymentId, { kind: "gate-error", error: reason, requestId: "gate" }, ports, now, timeZone);
    return failedToOpen(request, ports, reason);
  }
}

async function failedToOpen(request: z.output<typeof ApprovalRequest>, ports: GatePorts, reason: string): Promise<GateOpened> {
  await ports
    .notify({
      stage: request.stage,
      actor: "slack-actions",
      severity: "critical",
      title: `Release ${request.deploymentId} failed: its approval gate could not open`,
      summary: `${request.hook}'s checks passed, but the approval could not be asked for (${reason}).`.slice(0, 2500),
      actionsTaken: [`Reported Failed to CodeDeploy for ${request.hook}: it stops the release and rolls back.`],
      nextStep: "Look at the Slack actions function's logs, then release again.",
      thread: { deploymentId: request.deploymentId, role: "reply" },
    })
    .catch(() => undefined);
  return `failed: ${reason}`;
}

function waitingNotice(request: z.output<typeof ApprovalRequest>, record: ApprovalRecord, timeZone: string): AutomationNotice {
  const { evidence, deploymentId, hook } = request;
  const until = formatTime(record.deadline, timeZone);
  const subject = subjects.approval(deploymentId);
  return {
    ...evidence,
    severity: "warning",
    title: `Release ${deploymentId} waits for approval: ${hook} passed`.slice(0, 140),
    actionsTaken: [
      `Reported nothing to CodeDeploy yet: the release waits at ${hook} for a person until ${until}.`,
      `Without an answer by then, CodeDeploy is told ${record.onDeadline} (canary.approval.onDeadline).`,
    ],
    nextStep: "Read the evidence, then Approve (the release goes on) or Reject (it stops and rolls back).",
    thread: { deploymentId, role: "reply" },
    offers: [
      { action: "approve", subject, endsAt: record.deadline },
      { action: "reject", subject, endsAt: record.deadline },
    ],
  };
}

/** Settles the gate with one answer (a click, the deadline) and, when that answer decided it, tells the release's thread. */
export async function settleAndTell(
  stage: string,
  deploymentId: string,
  answer: Answer,
  ports: SettlePorts & Pick<GatePorts, "notify">,
  now: Date,
  timeZone: string,
): Promise<Settled> {
  const settled = await settleApproval(deploymentId, answer, ports, now, timeZone);
  if (settled.kind === "reported") await ports.notify(settledNotice(stage, settled.record, settled.decided, timeZone));
  return settled;
}

/** What the release's thread is told once the gate is settled. */
export function settledNotice(stage: string, record: ApprovalRecord, decided: Decided, timeZone: string): AutomationNotice {
  const passed = decided.status === "Succeeded";
  const byDeadline = decided.by === "nobody before the deadline";
  return {
    stage,
    actor: "slack-actions",
    severity: passed ? "info" : "warning",
    title: byDeadline
      ? `Release ${record.deploymentId}: nobody answered by ${formatTime(record.deadline, timeZone)}, so ${decided.status}`
      : `Release ${record.deploymentId} ${verdictWord(decided.status)} by ${decided.by}`,
    summary: byDeadline
      ? `The approval's deadline passed without an answer; the stage's default (canary.approval.onDeadline) is ${record.onDeadline}.`
      : `${decided.by} ${verdictWord(decided.status)} release ${record.deploymentId} at ${formatTime(decided.at, timeZone)}.`,
    actionsTaken: [`Reported ${decided.status} to CodeDeploy for ${record.hook}: ${statusMeaning(decided.status)}.`],
    thread: { deploymentId: record.deploymentId, role: "reply" },
  };
}

const statusMeaning = (status: HookStatus) => (status === "Succeeded" ? "the release goes on" : "it stops the release and rolls back");
