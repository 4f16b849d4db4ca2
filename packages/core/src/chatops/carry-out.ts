import { BUTTON_LABEL } from "../notify/render/slack";
import type { AutomationNotice } from "../notify/sources/automation";
import type { RollBackRequest } from "../rollback/do-it";
import type { ChatOpsAction } from "../settings/chatops";
import { formatTime } from "../text/time";
import type { AcceptedClick } from "./accept";
import { acknowledge } from "./acknowledge";
import type { ApprovalStore } from "./approval";
import { audit } from "./audit";
import { type DoItPorts, doIt } from "./do-it";
import { settleAndTell } from "./gate";
import { withResult } from "./shown";
import { deploymentOf } from "./tickets";

/**
 * The worker's side of a click: the action the ticket names, carried out on
 * what the ticket names (never on what the payload says), then written to the
 * audit trail and shown on the pressed message. Each action goes through the
 * path the automation itself uses: the rollback function for a rollback, the
 * schedule function for keep-awake, the approval gate's single decision.
 */

/** The rollback function's answer to a person's Roll back. */
export interface RollBackAnswer {
  decision: { action: string; why?: string };
  outcome: { kind: string; rollbackDeploymentId?: string };
}

/** How long "Keep awake" and "Wake now" keep a stage up, counted from the click. */
export const KEEP_AWAKE_BUTTON_MINUTES = 120;

export interface CarryOutPorts extends DoItPorts {
  rollback: DoItPorts["rollback"] & { rollBack(request: RollBackRequest): Promise<RollBackAnswer> };
  releases: { finishNow(deploymentId: string): Promise<"finished" | "already-finished"> };
  /** The schedule function; null on stages without a schedule (production). */
  schedule: { keepAwake(minutes: number, reason: string, wakeOnly: boolean): Promise<string> } | null;
  approvals: ApprovalStore;
  report(deploymentId: string, executionId: string, status: "Succeeded" | "Failed"): Promise<unknown>;
  notify(notice: AutomationNotice): Promise<void>;
  shown: { replace(responseUrl: string, blocks: Record<string, unknown>[], text: string): Promise<void> };
  timeZone: string;
}

export async function carryOut(click: AcceptedClick, ports: CarryOutPorts): Promise<string> {
  const { action } = click.ticket;
  if (action === "acknowledge") return acknowledge(click, ports);
  if (action === "do-it") return doIt(click, ports);
  const outcome = await attempt(() => act(action, click, ports));
  await audit(click, ports.audit, outcome);
  if (click.shown) {
    const line = `<@${click.userId}> pressed *${BUTTON_LABEL[action]}* at ${formatTime(click.at, ports.timeZone)}: ${outcome}`;
    await ports.shown.replace(click.shown.responseUrl, withResult(click.shown.blocks, line), line);
  }
  return outcome;
}

async function act(action: Exclude<ChatOpsAction, "acknowledge" | "do-it">, click: AcceptedClick, ports: CarryOutPorts): Promise<string> {
  const { subject, id: ticketId } = click.ticket;
  const requestedBy = `${click.userName} (${click.userId})`;
  if (action === "keep-awake") {
    if (!ports.schedule) return "not done: this stage has no sleep schedule";
    const wakeOnly = subject.startsWith("wake:");
    const pressed = wakeOnly ? "Wake now" : "Keep awake";
    return ports.schedule.keepAwake(KEEP_AWAKE_BUTTON_MINUTES, `${click.userName} pressed ${pressed} in Slack`, wakeOnly);
  }
  if (action === "approve" || action === "reject") {
    const deploymentId = deploymentOf(subject, "approval");
    if (!deploymentId) return `not done: ${subject} is not a release's approval`;
    const status = action === "approve" ? ("Succeeded" as const) : ("Failed" as const);
    const answer = { kind: "click" as const, status, by: click.userName, requestId: ticketId };
    const settled = await settleAndTell(click.ticket.stage, deploymentId, answer, ports, new Date(click.at), ports.timeZone);
    if (settled.kind === "refused") return `not done: ${settled.reason}`;
    return `${action === "approve" ? "approved" : "rejected"}: CodeDeploy was told ${status}`;
  }
  const deploymentId = deploymentOf(subject, "release");
  if (!deploymentId) return `not done: ${subject} is not a release`;
  if (action === "finish-now") {
    const finished = await ports.releases.finishNow(deploymentId);
    return finished === "finished"
      ? `release ${deploymentId} finishes now: the previous version's tasks are ended`
      : `not done: release ${deploymentId} had already finished`;
  }
  const { decision, outcome } = await ports.rollback.rollBack({ kind: "roll-back", deploymentId, ticketId, requestedBy });
  return rolledBack(deploymentId, decision, outcome);
}

/** What the rollback function did, in words, from its own answer (rollback/run.ts outcomes). */
function rolledBack(deploymentId: string, decision: RollBackAnswer["decision"], outcome: RollBackAnswer["outcome"]): string {
  switch (outcome.kind) {
    case "stopped":
      return `stopped release ${deploymentId} with rollback: CodeDeploy is sending traffic back to the previous version`;
    case "already-finished":
      return `release ${deploymentId} had already finished when the stop arrived`;
    case "rolled-back":
      return `rolling back release ${deploymentId}: deployment ${outcome.rollbackDeploymentId ?? "?"} is in progress`;
    case "claimed-elsewhere":
      return `release ${deploymentId} is already being rolled back`;
    case "nothing":
      return `not done: ${decision.why ?? "the rollback function decided nothing"}`;
    default:
      return `${decision.action} → ${outcome.kind}`;
  }
}

async function attempt(run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (error) {
    return `failed: ${(error as Error).message}`.slice(0, 500);
  }
}
