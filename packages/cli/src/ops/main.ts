/**
 * npm run ops -- <command> [options]
 *
 * The operator's console, offline.
 *   schedule --stage <stage> [--days 7] [--from <ISO date-time>] [--keep-awake-until <ISO date-time>]
 *       The coming days of the stage's sleep schedule in its local time, with
 *       public holidays, closed dates and, to try one, a keep-awake override.
 * Exit codes: 0 done, 2 bad command or arguments (with the reason).
 */
import { parseArgs } from "node:util";
import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { readKeepAwake } from "@hands-off-ops/core/schedule/keep-awake";
import { stageSettings } from "../../../../stacks/config";
import { scheduleDays } from "./schedule";

const USAGE = `usage: npm run ops -- schedule --stage <stage> [--days 7] [--from <ISO date-time>] [--keep-awake-until <ISO date-time>]`;

class UsageError extends Error {}

function main(argv: string[]): number {
  try {
    const [command, ...rest] = argv;
    if (command === "schedule") return schedule(rest);
    throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  } catch (error) {
    console.error(`${(error as Error).message}${error instanceof UsageError ? `\n${USAGE}` : ""}`);
    return 2;
  }
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
  const from = values.from ? new Date(values.from) : new Date();
  if (Number.isNaN(from.getTime())) throw new UsageError(`--from "${values.from}" is not a date-time`);
  const settings = stageSettings(values.stage);
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
process.exitCode = main(process.argv.slice(2));
