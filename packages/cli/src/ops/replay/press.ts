import { randomBytes } from "node:crypto";
import { type AcceptedClick, acceptClick } from "@hands-off-ops/core/chatops/accept";
import type { ApprovalRecord } from "@hands-off-ops/core/chatops/approval";
import { type CarryOutPorts, carryOut } from "@hands-off-ops/core/chatops/carry-out";
import { TICKET_ID } from "@hands-off-ops/core/chatops/interaction";
import type { Ticket } from "@hands-off-ops/core/chatops/tickets";
import type { StageSettings } from "@hands-off-ops/core/settings/schema";
import { formatClock } from "@hands-off-ops/core/text/time";
import type { KnownBlock } from "@slack/types";
import type { PressFile } from "./press-file";
import { Recorder } from "./recorder";
import { replayRollbackRequest } from "./run";
import { readScenario } from "./scenario";
import { signAsSlack } from "./slack-signature";
import { slackAsText } from "./slack-text";

/**
 * A Slack button press replayed through the real endpoint and worker: the
 * payload as Slack posts it is signed with a local test secret and verified
 * as Slack's signature is, the stage's authorization decides, the ticket the
 * file says the state table holds is used, and the click is carried out with
 * every AWS call recorded — the rollback function itself runs, with the
 * file's world (scenarios/README.md). Ends with the message as it reads once
 * the click's result replaced its buttons.
 */

export async function replayPress(press: PressFile, stage: string, settings: StageSettings, now: Date): Promise<string[]> {
  const chatops = { ...settings.chatops, ...press.chatops };
  const secret = randomBytes(16).toString("hex");
  const body = new URLSearchParams({ payload: JSON.stringify(press.press) }).toString();
  const signed = signAsSlack(body, secret, Math.floor(now.getTime() / 1000));
  const recorder = new Recorder();
  const lines = ["Signed with a local test secret (v0, HMAC-SHA256), as Slack signs, and sent to the endpoint."];
  const value = ((press.press.actions as { value?: string }[] | undefined)?.[0]?.value ?? "") as string;
  const ticket: Ticket | undefined = TICKET_ID.test(value)
    ? {
        id: value,
        stage,
        ...press.ticket,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + chatops.buttonHours * 3_600_000).toISOString(),
      }
    : undefined;
  const clicks: AcceptedClick[] = [];
  const told: string[] = [];
  const accepted = await acceptClick(
    { headers: signed, body },
    chatops,
    stage,
    {
      signingSecret: async () => secret,
      groups: { members: async () => [] },
      tickets: {
        issue: async () => undefined,
        ticket: async (id) => {
          recorder.aws("DynamoDB", "GetItem", `ticket ${id}`);
          return id === ticket?.id ? ticket : undefined;
        },
        use: async (id, by) => {
          recorder.aws("DynamoDB", "UpdateItem", `ticket ${id}: used by ${by}, if not used yet`);
          return { first: true };
        },
        giveBack: async (id, used) => {
          recorder.aws("DynamoDB", "UpdateItem", `ticket ${id}: the use by ${used.by} given back (its click was not queued)`);
        },
      },
      // The replay's presses act on releases and stages; an incident's record is not in its world.
      present: { incidents: { incident: async () => undefined, memberOf: async () => undefined } },
      enqueue: async (click) => {
        recorder.aws("Lambda", "Invoke", `${stage}-hands-off-ops-slack-actions (Event): the click, carried out in the background`);
        clicks.push(click);
      },
      tellPresser: async (_url, text) => void told.push(text),
    },
    now,
    settings.schedule.timeZone,
  );
  lines.push(`Endpoint answered ${accepted.status} to Slack: ${accepted.outcome}${accepted.reason ? ` (${accepted.reason})` : ""}`);
  for (const text of told) lines.push(`Only the presser sees: ${text}`);
  const click = clicks[0];
  if (!click) return [...lines, "AWS calls it would make:", ...recorder.lines().map((l) => `  ${l}`)];

  const shown: string[] = [];
  const nested: string[] = [];
  const approvals = approvalWorld(press, now, recorder);
  const ports: CarryOutPorts = {
    store: { incident: async () => undefined } as never,
    slack: null,
    audit: {
      record: async (entry) =>
        recorder.aws("DynamoDB", "PutItem", `audit: ${entry.userName} ${entry.action} ${entry.subject} → ${entry.outcome}`),
      trail: async () => [],
    },
    rollback: {
      doIt: async () => Promise.reject(new Error("an incident's button")),
      rollBack: async (request) => {
        recorder.aws("Lambda", "Invoke", `${stage}-hands-off-ops-rollback (RequestResponse): ${JSON.stringify(request)}`);
        const { result, lines: run } = await replayRollbackRequest(
          { stage, settings, event: request, scenario: readScenario(press.scenario) },
          now,
        );
        nested.push(...run);
        return result as never;
      },
    },
    releases: {
      finishNow: async (id) => {
        recorder.aws("CodeDeploy", "ContinueDeployment", `${id} with TERMINATION_WAIT`);
        return "finished";
      },
    },
    schedule: settings.schedule.enabled
      ? {
          keepAwake: async (minutes, reason) => {
            recorder.aws("Lambda", "Invoke", `${stage}-hands-off-ops-schedule (RequestResponse): keep-awake ${minutes} min, "${reason}"`);
            const until = new Date(now.getTime() + minutes * 60_000).toISOString();
            return `kept awake until ${formatClock(until, settings.schedule.timeZone, now)}`;
          },
        }
      : null,
    approvals,
    report: async (deploymentId, executionId, status) =>
      recorder.aws("CodeDeploy", "PutLifecycleEventHookExecutionStatus", `${deploymentId} ${executionId} ${status}`),
    notify: async (notice) => recorder.aws("EventBridge", "PutEvents", `Automation Action: "${notice.title}"`),
    shown: {
      replace: async (_url, blocks) => {
        recorder.aws("Slack", "response_url", "replace_original: the message with the click's result in place of its buttons");
        shown.push(...slackAsText({ text: "", blocks: blocks as unknown as KnownBlock[] }));
      },
    },
    timeZone: settings.schedule.timeZone,
  };
  const outcome = await carryOut(click, ports);
  lines.push(`Carried out: ${outcome}`, "AWS calls it would make:", ...recorder.lines().map((l) => `  ${l}`));
  if (nested.length) lines.push("", ...nested);
  if (shown.length) lines.push("", "The message, as the channel now reads it:", ...shown.map((l) => `  │ ${l}`));
  return lines;
}

/** The approval gate the file says is waiting, kept in memory with the same single decision as the state table's. */
function approvalWorld(press: PressFile, now: Date, recorder: Recorder): CarryOutPorts["approvals"] {
  const deploymentId = /^approval:(d-[A-Z0-9]+)$/.exec(press.ticket.subject)?.[1];
  const record: ApprovalRecord | undefined =
    press.approval && deploymentId
      ? {
          deploymentId,
          executionId: press.approval.executionId,
          hook: press.approval.hook,
          openedAt: now.toISOString(),
          deadline: new Date(now.getTime() + press.approval.minutesLeft * 60_000).toISOString(),
          onDeadline: "Failed",
        }
      : undefined;
  return {
    open: async () => false,
    get: async (id) => {
      recorder.aws("DynamoDB", "GetItem", `approval of ${id}`);
      return id === record?.deploymentId ? { ...record } : undefined;
    },
    decide: async (id, decided) => {
      recorder.aws("DynamoDB", "UpdateItem", `approval of ${id}: ${decided.status} by ${decided.by}, if not decided yet`);
      if (record) record.decided = decided;
      return true;
    },
    claimReport: async (id) => {
      recorder.aws("DynamoDB", "UpdateItem", `approval of ${id}: reporting, if nobody is`);
      return true;
    },
    markReported: async (id) => recorder.aws("DynamoDB", "UpdateItem", `approval of ${id}: reported`),
  };
}
