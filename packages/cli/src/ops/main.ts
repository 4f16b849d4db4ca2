/**
 * npm run ops -- <command> [options]
 *
 * The operator's console, offline.
 *   schedule --stage <stage> [--days 7] [--from <YYYY-MM-DD or ISO date-time>] [--keep-awake-until <ISO date-time>]
 *       The coming days of the stage's sleep schedule in its local time, with
 *       public holidays, closed dates and, to try one, a keep-awake override.
 *   audit --stage <stage> [--limit 20] [--table <state table>]
 *       The automation's audit trail from AWS (credentials from the usual
 *       places): rollback decisions, newest first, the nights slept, and
 *       the buttons pressed in Slack.
 *       The table is found from the stage's Automation stack unless named.
 *   replay <event.json> --stage <stage> [--scenario <scenario.json>] [--hook <lifecycle hook>] [--logs]
 *       Runs the stage's real handlers for one event with recorders in place
 *       of AWS: the result, every AWS call they would make, and the Slack
 *       message and e-mail on-call would get. Scenarios: scenarios/.
 *   replay <timeline.json> --stage <stage> [--mode enforce|dry-run] [--messages-only] [--logs]
 *   replay <slack-press.json> --stage <stage>
 *   shell --stage <stage> [--run]
 *       An incident: events at offsets, in order, through the same handlers
 *       with one shared state table; ends with what on-call got (e-mails by
 *       reason, Slack messages, updates and replies). Timelines: timelines/.
 *   slack-manifest --stage <stage> [--url <interactivity URL>]
 *       The Slack app manifest of the stage (bot scopes, the buttons' request
 *       URL: the SlackActionsUrl output of its Automation stack).
 * Exit codes: 0 done, 1 AWS could not be read (with the reason), 2 bad command, arguments, event or scenario.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stateTable } from "@hands-off-ops/core/aws/state-table";
import { dynamoChatOpsAudit } from "@hands-off-ops/core/aws/ticket-store";
import { dynamoRollbackLedger } from "@hands-off-ops/core/rollback/aws-ledger";
import { dynamoSleepLedger } from "@hands-off-ops/core/schedule/aws-sleep-ledger";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { readKeepAwake } from "@hands-off-ops/core/schedule/keep-awake";
import { stageSettings } from "../../../../stacks/config";
import { APP_NAME } from "../../../../stacks/names";
import { auditLines, clickLines } from "./audit";
import { isPress, readPress } from "./replay/press-file";
import { RouteError } from "./replay/route";
import { checkScenarioEvent, readScenario, ScenarioError } from "./replay/scenario";
import { isTimeline, readTimeline } from "./replay/timeline-file";
import { parseFrom, scheduleDays } from "./schedule";
import { slackManifest } from "./slack-manifest";
import { stateTableOf } from "./state-table";

const USAGE = [
  "usage: npm run ops -- schedule --stage <stage> [--days 7] [--from <YYYY-MM-DD or ISO date-time>] [--keep-awake-until <ISO date-time>]",
  "       npm run ops -- audit --stage <stage> [--limit 20] [--table <state table>]",
  "       npm run ops -- replay <event.json> --stage <stage> [--scenario <scenario.json>] [--hook <lifecycle hook>] [--logs]",
  "       npm run ops -- replay <timeline.json> --stage <stage> [--mode enforce|dry-run] [--messages-only] [--logs]",
  "       npm run ops -- replay <slack-press.json> --stage <stage>",
  "       npm run ops -- shell --stage <stage> [--run]",
  "       npm run ops -- slack-manifest --stage <stage> [--url <interactivity URL>]",
].join("\n");

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === "schedule") return schedule(rest);
    if (command === "audit") return await audit(rest);
    if (command === "replay") return await replayEvent(rest);
    if (command === "slack-manifest") return manifest(rest);
    if (command === "shell") return await shell(rest);
    throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  } catch (error) {
    console.error(`${(error as Error).message}${error instanceof UsageError ? `\n${USAGE}` : ""}`);
    return 2;
  }
}

async function replayEvent(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      stage: { type: "string" },
      scenario: { type: "string" },
      hook: { type: "string" },
      mode: { type: "string" },
      "messages-only": { type: "boolean", default: false },
      logs: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (!values.stage) throw new UsageError("--stage is required");
  if (positionals.length !== 1) throw new UsageError("replay takes one event file");
  const file = positionals[0] as string;
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`Cannot read the event ${file}: ${(error as Error).message}`);
    return 2;
  }
  if (values.mode !== undefined && values.mode !== "enforce" && values.mode !== "dry-run")
    throw new UsageError(`--mode must be enforce or dry-run, not "${values.mode}"`);
  const stage = stageSettings(values.stage);
  const settings = values.mode ? { ...stage, automationMode: values.mode as typeof stage.automationMode } : stage;
  // The handlers log as they do in Lambda (JSON lines); a replay shows them only when asked.
  if (!values.logs) process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  // Nor their metrics (EMF lines on stdout in Lambda), nor the SDK's warning that a later release will need Node 22.
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  try {
    if (isPress(event)) {
      if (values.scenario || values.hook || values.mode) throw new UsageError("a press names its own world");
      const { replayPress } = await import("./replay/press");
      for (const line of await replayPress(readPress(file, event), values.stage, settings, new Date())) console.log(line);
      return 0;
    }
    if (isTimeline(event)) {
      if (values.scenario || values.hook) throw new UsageError("a timeline names its own scenarios and hooks");
      const { replayTimeline } = await import("./replay/timeline");
      const { lines } = await replayTimeline(readTimeline(file, event), values.stage, settings, {
        messagesOnly: values["messages-only"],
      });
      for (const line of lines) console.log(line);
      return 0;
    }
    if (values.mode) throw new UsageError("--mode is for timelines; a single event replays with the stage's own mode");
    const { replay } = await import("./replay/run");
    const scenario = readScenario(values.scenario);
    checkScenarioEvent(scenario, values.scenario, file, event);
    const lines = await replay({ stage: values.stage, settings, event, scenario, hook: values.hook });
    for (const line of lines) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof RouteError || error instanceof ScenarioError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

function manifest(args: string[]): number {
  const { values } = parseArgs({ args, options: { stage: { type: "string" }, url: { type: "string" } }, strict: true });
  if (!values.stage) throw new UsageError("--stage is required");
  const settings = stageSettings(values.stage);
  if (!settings.chatops.enabled) throw new UsageError(`${values.stage} has no Slack buttons (chatops.enabled is false)`);
  if (values.url !== undefined && !/^https:\/\/[^\s]+\/slack\/actions$/.test(values.url))
    throw new UsageError("--url must be the stage's SlackActionsUrl output (https://…/slack/actions)");
  const url = values.url ?? "https://REPLACE-WITH-THE-SlackActionsUrl-OUTPUT/slack/actions";
  if (!values.url)
    console.error(`No --url: replace the request URL with the SlackActionsUrl output of ${values.stage}'s Automation stack.`);
  console.log(JSON.stringify(slackManifest(values.stage, APP_NAME, url), null, 2));
  return 0;
}

async function audit(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { stage: { type: "string" }, limit: { type: "string", default: "20" }, table: { type: "string" } },
    strict: true,
  });
  if (!values.stage) throw new UsageError("--stage is required");
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError("--limit must be a whole number from 1 to 500");
  const settings = stageSettings(values.stage);
  const sleeps = settings.kind !== "production" && settings.schedule.enabled;
  try {
    // The stage's region, not whatever the shell's AWS configuration names.
    const table = values.table ?? (await stateTableOf(values.stage, APP_NAME, settings.region));
    const dynamo = stateTable({}, settings.region);
    const [trail, nights, clicks] = await Promise.all([
      dynamoRollbackLedger(table, values.stage, dynamo).trail(limit),
      sleeps ? dynamoSleepLedger(table, values.stage, dynamo).nights(new Date(Date.now() - 90 * 86_400_000)) : [],
      settings.chatops.enabled ? dynamoChatOpsAudit(table, values.stage, dynamo).trail(limit) : null,
    ]);
    for (const line of auditLines(values.stage, trail, nights, sleeps ? settings.schedule.prices.currency : null)) console.log(line);
    if (clicks) for (const line of clickLines(values.stage, clicks)) console.log(line);
    return 0;
  } catch (error) {
    const { name, message } = error as Error;
    const hint = name === "CredentialsProviderError" ? " (no AWS credentials: set AWS_PROFILE or the AWS_* variables)" : "";
    console.error(`Could not read the audit trail of ${values.stage}: ${name}: ${message}${hint}`);
    return 1;
  }
}

async function shell(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { stage: { type: "string" }, run: { type: "boolean", default: false } }, strict: true });
  if (!values.stage) throw new UsageError("--stage is required");
  const settings = stageSettings(values.stage);
  if (!settings.shell.enabled)
    throw new UsageError(
      `${values.stage} has no operator shell (shell.enabled is false${settings.kind === "production" ? ", production's default" : ""})`,
    );
  const { openShell, shellInstructions } = await import("./shell");
  const { awsShellPorts } = await import("./shell-aws");
  const ports = awsShellPorts(settings.region);
  let opened: Awaited<ReturnType<typeof openShell>>;
  try {
    opened = await openShell(values.stage, settings.region, ports, {
      // Up to three minutes: a Fargate task and its ECS Exec agent start in about one.
      attempts: 60,
      delayMs: 3000,
      log: (line) => console.log(line),
    });
  } catch (error) {
    const { name, message } = error as Error;
    const hint = name === "CredentialsProviderError" ? " (no AWS credentials: set AWS_PROFILE or the AWS_* variables)" : "";
    console.error(`Could not open a shell on ${values.stage}: ${message}${hint}`);
    return 1;
  }
  const missing = ["aws", "session-manager-plugin"].filter((tool) => !onPath(tool));
  if (!values.run || missing.length) {
    for (const line of shellInstructions(opened, settings.region, settings.shell.sessionMinutes, values.run ? missing : []))
      console.log(line);
    return 0;
  }
  const { spawnSync } = await import("node:child_process");
  const session = spawnSync(opened.command[0] as string, opened.command.slice(1), { stdio: "inherit" });
  await ports.stop(opened.cluster, opened.taskArn, "the session ended (npm run ops -- shell)");
  console.log(`Session ended; shell task ${opened.taskId} stopped.`);
  return session.status ?? 1;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/${tool}`));
}

function schedule(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      stage: { type: "string" },
      days: { type: "string", default: "7" },
      from: { type: "string" },
      "keep-awake-until": { type: "string" },
    },
    strict: true,
  });
  if (!values.stage) throw new UsageError("--stage is required");
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 60) throw new UsageError("--days must be a whole number from 1 to 60");
  const settings = stageSettings(values.stage);
  let from = new Date();
  if (values.from) {
    try {
      from = parseFrom(values.from, settings.schedule.timeZone);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (settings.kind === "production" || !settings.schedule.enabled) {
    console.log(
      `Stage ${values.stage} never sleeps: ${settings.kind === "production" ? "a production stage is never scheduled down" : "its schedule is off in the settings"}.`,
    );
    return 0;
  }
  let keepAwake = null;
  if (values["keep-awake-until"]) {
    const read = readKeepAwake({ "keep-awake-until": values["keep-awake-until"] }, from);
    if (read.note) throw new UsageError(read.note.replace("the keep-awake-until tag", "--keep-awake-until"));
    keepAwake = read.keepAwake;
  }
  const year = from.getUTCFullYear();
  const calendar = { ...settings.schedule, closed: closedDays(settings.schedule, year, 2) };
  for (const line of scheduleDays(calendar, from, days, keepAwake)) console.log(line);
  return 0;
}

// Piped into `head`: stop quietly when the reader has had enough.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
