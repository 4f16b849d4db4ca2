import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import type { AcceptedClick } from "@hands-off-ops/core/chatops/accept";
import type { ApprovalRecord } from "@hands-off-ops/core/chatops/approval";
import { readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import { TICKET_ID } from "@hands-off-ops/core/chatops/interaction";
import type { Ticket } from "@hands-off-ops/core/chatops/tickets";
import type { SlackPayload } from "@hands-off-ops/core/notify/render/slack";
import type { StageSettings } from "@hands-off-ops/core/settings/schema";
import { chatOpsVariables } from "../../../../../stacks/lambda-environment";
import { APP_NAME } from "../../../../../stacks/names";
import { recordingClients } from "./answers/clients";
import { Table } from "./answers/dynamodb";
import { lambdaAnswers } from "./answers/lambda";
import type { SlackPosted } from "./answers/slack";
import type { World } from "./answers/world";
import type { PressFile } from "./press-file";
import { Recorder } from "./recorder";
import { OFFLINE, recordingClient } from "./recording";
import { REPLAY_ACCOUNT, workerCapacities } from "./route";
import { replayRequest, sharedMemory } from "./run";
import { readScenario } from "./scenario";
import { signAsSlack } from "./slack-signature";
import { slackAsText } from "./slack-text";

/**
 * A Slack button press replayed through the real Slack actions function (functions/slack-actions.ts, built by its
 * own factory, with recording clients): the payload as Slack posts it is signed with a local test secret (which
 * the stage's Slack secret holds in the replay) and verified as Slack's signature is, the stage's authorization
 * decides, the ticket the file says the state table holds is used, and the click the endpoint hands to itself
 * (Lambda, Event) is carried out by the same function, with every AWS call recorded — the rollback (or schedule)
 * function it asks runs too, with the file's world (scenarios/README.md). Ends with the message as it reads once
 * the click's result replaced its buttons.
 */

/** The Lambda client of the product's own SDK version (packages/core has its own @aws-sdk/client-lambda). */
const coreRequire = createRequire(path.resolve(import.meta.dirname, "../../../../core/src/aws/clients.ts"));

export async function replayPress(press: PressFile, stage: string, settings: StageSettings, now: Date): Promise<string[]> {
  const chatops = { ...settings.chatops, ...press.chatops };
  const secret = randomBytes(16).toString("hex");
  const body = new URLSearchParams({ payload: JSON.stringify(press.press) }).toString();
  const signed = signAsSlack(body, secret, Math.floor(now.getTime() / 1000));
  const prefix = `${stage}-${APP_NAME}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${settings.region}:${REPLAY_ACCOUNT}:${resource}`;
  const functionName = `${prefix}-slack-actions`;
  const env = readChatOpsEnvironment({
    ...chatOpsVariables(
      { stage, name: APP_NAME },
      { ...settings, chatops },
      {
        tableName: `${prefix}-state`,
        slackSecretId: arn("secretsmanager", `secret:${prefix}-slack`),
        rollbackFunction: `${prefix}-rollback`,
        scheduleFunction: settings.schedule.enabled ? `${prefix}-schedule` : null,
        deadlines: {
          groupName: `${prefix}-approvals`,
          roleArn: arn("iam", `role/${prefix}-approvals-scheduler`).replace(`:${settings.region}:`, "::"),
          functionArn: arn("lambda", `function:${functionName}`),
        },
      },
    ),
    AWS_LAMBDA_FUNCTION_NAME: functionName,
  });

  const scenario = readScenario(press.scenario);
  const table = new Table();
  seed(table, press, stage, now, chatops.buttonHours);
  const recorder = new Recorder();
  const world: World = {
    scenario,
    stage,
    region: settings.region,
    account: REPLAY_ACCOUNT,
    cluster: `${prefix}-cluster`,
    service: `${prefix}-service`,
    now: () => now,
    table,
    alarms: [],
    capacity: scenario.service.capacity ?? {
      desiredCount: settings.service.minTasks,
      minCapacity: settings.service.minTasks,
      maxCapacity: settings.service.maxTasks,
    },
    workers: workerCapacities(settings, APP_NAME, scenario.asleep !== null),
    sent: { events: [], emails: [] },
  };
  const posted: SlackPosted[] = [];
  const shown: SlackPayload[] = [];
  const told: string[] = [];
  const clicks: AcceptedClick[] = [];
  const nested: string[] = [];
  // The functions the Slack actions function asks, run in the replay as Lambda runs them.
  const invoked = async (name: string, payload: unknown, type: "RequestResponse" | "Event") => {
    if (name === functionName && type === "Event") {
      clicks.push((payload as { click: AcceptedClick }).click);
      return null;
    }
    const fn = name === env.rollbackFunction ? "rollback" : name === env.scheduleFunction ? "schedule" : null;
    if (!fn) throw new Error(`the replay runs no function ${name}`);
    const { result, lines } = await replayRequest(
      fn,
      { stage, settings, event: payload, scenario, shared: sharedMemory(scenario, stage) },
      now,
    );
    nested.push(...lines);
    return result;
  };
  const { LambdaClient } = coreRequire("@aws-sdk/client-lambda") as typeof import("@aws-sdk/client-lambda");
  const clients: Clients = {
    ...recordingClients(world, recorder, {
      slack: { world: { messages: 0 }, posted, mode: "web-api", shown, told, signingSecret: secret },
    }),
    lambda: recordingClient(new LambdaClient({ ...OFFLINE, region: settings.region }) as never, lambdaAnswers(invoked), recorder),
  };

  const { createChatOpsHandler } = await import("../../../../../functions/slack-actions");
  const { awsDependencies } = await import("@hands-off-ops/core/chatops/aws-dependencies");
  const dependencies = { ...awsDependencies(env, clients), now: () => now };
  const handle = createChatOpsHandler(env, dependencies);
  const answered = (await handle({ headers: signed, body, isBase64Encoded: false } as never)) as { statusCode?: number };
  const lines = ["Signed with a local test secret (v0, HMAC-SHA256), as Slack signs, and sent to the endpoint."];
  // What Slack sees of it: the status, and either the click handed on or a reply only the presser sees.
  const accepted = clicks.length ? "accepted" : told.length ? "refused" : "answered";
  lines.push(
    `Endpoint answered ${answered.statusCode ?? "?"} to Slack: ${accepted}${told[0] && !clicks.length ? ` (${reasonOf(told[0])})` : ""}`,
  );
  for (const text of told) lines.push(`Only the presser sees: ${text}`);
  const click = clicks[0];
  if (!click) return [...lines, "AWS calls it would make:", ...recorder.lines().map((l) => `  ${l}`)];

  // Lambda runs the click the endpoint handed on: the same function, invoked with it.
  const { outcome } = (await handle({ kind: "click", click })) as { outcome: string };
  lines.push(`Carried out: ${outcome}`, "AWS calls it would make:", ...recorder.lines().map((l) => `  ${l}`));
  if (nested.length) lines.push("", ...nested);
  if (shown.length)
    lines.push("", "The message, as the channel now reads it:", ...shown.flatMap((payload) => slackAsText(payload)).map((l) => `  │ ${l}`));
  return lines;
}

/** "Not done: <reason>." → the reason, as the endpoint refused. */
const reasonOf = (text: string) => text.replace(/^Not done: /, "").replace(/\.$/, "");

/** The state table as the file has it: the ticket behind the pressed button, and the approval gate that waits. */
function seed(table: Table, press: PressFile, stage: string, now: Date, buttonHours: number) {
  const value = ((press.press.actions as { value?: string }[] | undefined)?.[0]?.value ?? "") as string;
  if (TICKET_ID.test(value)) {
    const ticket: Ticket = {
      id: value,
      stage,
      ...press.ticket,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + buttonHours * 3_600_000).toISOString(),
    };
    table.put(marshall({ pk: `chatops#ticket#${value}`, sk: "ticket", ticket }));
  }
  const deploymentId = /^approval:(d-[A-Z0-9]+)$/.exec(press.ticket.subject)?.[1];
  if (press.approval && deploymentId) {
    const record: ApprovalRecord = {
      deploymentId,
      executionId: press.approval.executionId,
      hook: press.approval.hook,
      openedAt: now.toISOString(),
      deadline: new Date(now.getTime() + press.approval.minutesLeft * 60_000).toISOString(),
      onDeadline: "Failed",
    };
    table.put(marshall({ pk: `chatops#approval#${deploymentId}`, sk: "approval", record }));
  }
}
