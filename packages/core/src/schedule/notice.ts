import { subjects } from "../chatops/tickets";
import type { AutomationNotice } from "../notify/sources/automation";
import { type Decision, localLabel } from "./calendar";
import type { ScheduleConfig } from "./config";
import { type Capacity, changesStage, isZero, type Plan, type SleepRecord, type Step } from "./plan";
import { hourlyCost, hours, hoursBetween, money } from "./savings";
import type { Trigger } from "./trigger";

/**
 * What on-call reads about the schedule: short, with the reason first and
 * the money second. Nights are routine, so everything is "info" except a
 * failure (the stage may be down when people start, or up all night).
 */

const ACTOR = "schedule";
const KEEP_AWAKE_HINT =
  "To have it up now, press Wake now (where Slack takes clicks) or tag the service with keep-awake-until (docs/schedule.md).";

/** A sleeping stage can be woken, and a kept-awake one kept longer, from the notice itself (chatops/carry-out.ts). */
const keepAwakeOffer = (stage: string, label: string, subject = subjects.stage(stage)) => ({
  offers: [{ action: "keep-awake" as const, subject, label }],
});

interface NoticeInput {
  trigger: Trigger;
  config: ScheduleConfig;
  decision: Decision;
  plan: Plan;
  dryRun: boolean;
  recheckAt: Date | null;
  now: Date;
  nextWake: Date | null;
  /** The state recorded at sleep (new or kept). */
  sleeping: SleepRecord | null;
  /** The night that ends with this wake, and what it saved. */
  slept: { record: SleepRecord; saved: number | null } | null;
}

export function noticeOf(input: NoticeInput): AutomationNotice {
  const { config, decision, plan, dryRun, recheckAt, trigger } = input;
  const zone = config.calendar.timeZone;
  const facts = [
    { label: "Why", value: capitalize(decision.why) },
    { label: "Local time", value: decision.local },
    ...(trigger.kind === "check" && trigger.reason ? [{ label: "Checked because", value: trigger.reason }] : []),
    ...(recheckAt ? [{ label: "Next check", value: localLabel(recheckAt, zone) }] : []),
    ...plan.notes.slice(0, 3).map((note) => ({ label: "Note", value: capitalize(note) })),
  ];
  const who = namesOf(config);
  const base = {
    stage: config.stage,
    actor: ACTOR,
    severity: "info" as const,
    dryRun,
    facts,
    actionsTaken: plan.steps.flatMap((step) => describe(step, who)),
  };
  const waiting = plan.recheck ? ` ${capitalize(plan.recheck.why)}; checking again at ${localLabel(recheckAt ?? input.now, zone)}.` : "";

  if (trigger.kind === "database-auto-start" && decision.state === "asleep") {
    return {
      ...base,
      title: `${config.stage}: RDS restarted the sleeping database`,
      summary: `RDS starts a stopped instance after 7 days. The stage should sleep (${decision.why}), so the database ${dryRun ? "would have been stopped again; nothing was changed" : "is stopped again"}.${waiting}`,
    };
  }
  if (dryRun && changesStage(plan)) return rehearsalNotice(input, base, waiting);
  if (decision.state === "asleep") return sleepNotice(input, base, waiting);
  return wakeNotice(input, base, waiting);
}

/** Dry-run: what the schedule would have done, and that the stage is as it was (no wake offered, nothing saved). */
function rehearsalNotice(input: NoticeInput, base: BaseNotice, waiting: string): AutomationNotice {
  const { config, plan, decision, nextWake, sleeping, now } = input;
  if (decision.state === "asleep") {
    const until = nextWake ? localLabel(nextWake, config.calendar.timeZone) : "further notice";
    const saves = sleeping && nextWake ? estimateLine(sleeping, now, nextWake, input).replace(" Saves", " Sleeping would save") : "";
    return {
      ...base,
      facts: [...base.facts, { label: "Would wake", value: until }],
      title: `${config.stage} would have been put to sleep until ${until}: nothing was changed`,
      summary: `${capitalize(decision.why)}: would have ${didWhat(plan, config, { scale: (them) => `scaled ${them} to zero`, "stop-database": "stopped the database" })}; nothing was changed.${saves}${waiting}`,
      nextStep: null,
    };
  }
  return {
    ...base,
    title: `${config.stage} would have been woken: nothing was changed`,
    summary: `${capitalize(decision.why)}: would have ${didWhat(plan, config, { "start-database": "started the database", scale: (them) => (them === THE_SERVICE ? "restored the tasks" : `restored the tasks of ${them}`) })}; nothing was changed.${waiting}`,
  };
}

function sleepNotice(input: NoticeInput, base: BaseNotice, waiting: string): AutomationNotice {
  const { config, plan, nextWake, sleeping, now } = input;
  const zone = config.calendar.timeZone;
  const until = nextWake ? localLabel(nextWake, zone) : "further notice";
  if (plan.recheck && !changesStage(plan)) {
    return { ...base, title: `${config.stage}: sleep postponed`, summary: `${waiting.trim()}`, nextStep: null };
  }
  const estimate = sleeping && nextWake ? estimateLine(sleeping, now, nextWake, input) : "";
  const facts = [
    ...base.facts,
    { label: "Wakes", value: until },
    ...(sleeping ? [{ label: "Recorded", value: recordedLine(sleeping, input.config) }] : []),
  ];
  if (!changesStage(plan)) {
    return {
      ...base,
      facts,
      title: input.trigger.kind === "wake" ? `${config.stage} stays asleep today` : `${config.stage} was already asleep`,
      summary: `Nothing to change: ${input.decision.why}. It sleeps until ${until}.${estimate}${waiting}`,
    };
  }
  return {
    ...base,
    facts,
    title: `${config.stage} is asleep until ${until}`,
    summary: `${capitalize(input.decision.why)}: ${didWhat(plan, config, { scale: (them, many) => `${them} ${many ? "are" : "is"} scaled to zero`, "stop-database": "the database stopped" })}.${estimate}${waiting}`,
    nextStep: KEEP_AWAKE_HINT,
    ...keepAwakeOffer(config.stage, "Wake now for 2 h", subjects.wake(config.stage)),
  };
}

function wakeNotice(input: NoticeInput, base: BaseNotice, waiting: string): AutomationNotice {
  const { config, plan, slept, now, decision } = input;
  const night = slept
    ? ` Slept ${hours(hoursBetween(new Date(slept.record.sleptAt), now))}${slept.saved !== null ? `, about ${money(slept.saved, config.cost.prices.currency)} saved` : ""}.`
    : "";
  if (!changesStage(plan)) {
    const stays = decision.why.startsWith("kept awake");
    return {
      ...base,
      title: stays ? `${config.stage} stays awake: ${decision.why}` : `${config.stage} was already awake`,
      summary: stays
        ? `The keep-awake override wins over the working hours; the stage goes to sleep when it ends.${waiting}`
        : `Nothing to change: ${decision.why}.${night}${waiting}`,
      ...(stays ? keepAwakeOffer(config.stage, "Keep awake 2 h more") : {}),
    };
  }
  return {
    ...base,
    title: `${config.stage} is awake`,
    summary: `${capitalize(decision.why)}: ${didWhat(plan, config, { "start-database": "database started", scale: (them) => (them === THE_SERVICE ? "tasks restored" : `tasks of ${them} restored`) })}${plan.steps.some((step) => step.kind === "start-database") ? "; the service can reach the database once it is up (a few minutes)" : ""}.${night}${waiting}`,
  };
}

type BaseNotice = Pick<AutomationNotice, "stage" | "actor" | "dryRun" | "actionsTaken"> & {
  severity: "info";
  facts: { label: string; value: string }[];
};

export function failureNotice(config: ScheduleConfig, decision: Decision, error: Error): AutomationNotice {
  const verb = decision.state === "asleep" ? "Putting" : "Waking";
  return {
    stage: config.stage,
    actor: ACTOR,
    severity: "warning",
    title: `${verb} ${config.stage} ${decision.state === "asleep" ? "to sleep " : ""}failed`,
    summary: `${capitalize(decision.why)}, but ${error.name}: ${error.message}`.slice(0, 2500),
    facts: [{ label: "Local time", value: decision.local }],
    nextStep:
      "The tick is retried twice, then kept in the dead-letter queue. If the stage must be up now, run the check by hand (docs/schedule.md) or scale the service in the console.",
  };
}

export function summaryNotice(
  config: ScheduleConfig,
  totals: { periods: number; hours: number; saved: number; asleepNow: boolean },
  now: Date,
): AutomationNotice {
  const currency = config.cost.prices.currency;
  return {
    stage: config.stage,
    actor: ACTOR,
    severity: "info",
    title: `${config.stage} slept ${hours(totals.hours)} in the last 7 days: about ${money(totals.saved, currency)} saved`,
    summary:
      "Estimated from the Fargate task hours and database instance hours not run, at the prices in the stage's settings; storage, the load balancer and NAT gateways keep costing while the stage sleeps.",
    facts: [
      { label: "Sleep periods", value: String(totals.periods) },
      { label: "Asleep now", value: totals.asleepNow ? "yes" : "no" },
      { label: "Week ending", value: localLabel(now, config.calendar.timeZone) },
    ],
  };
}

function estimateLine(record: SleepRecord, now: Date, nextWake: Date, input: NoticeInput): string {
  const asleepFor = hoursBetween(now, nextWake);
  const saved = asleepFor * hourlyCost(record, input.config.cost);
  return ` Saves about ${money(saved, input.config.cost.prices.currency)} over ${hours(asleepFor)}.`;
}

/** The public service of a stage without workers: its phrases stay as short as they were ("tasks restored"). */
const THE_SERVICE = "the service";

/** What the notices call the public service (plainly "the service" on a stage without workers) and each worker. */
interface Subjects {
  service: string;
  worker(name: string): string;
}
const namesOf = (config: ScheduleConfig): Subjects => ({
  service: Object.keys(config.defaults.workers).length ? "the public service" : THE_SERVICE,
  worker: (name) => `worker ${name}`,
});

/**
 * "a and b" from the phrases of the steps the plan has, in the plan's order. The scale steps make one phrase, at
 * the first one's place, of every service they scale: "the public service and worker queue are scaled to zero".
 */
function didWhat(
  plan: Plan,
  config: ScheduleConfig,
  phrases: Partial<Record<Exclude<Step["kind"], "scale">, string>> & { scale?: (them: string, many: boolean) => string },
): string {
  const who = namesOf(config);
  const scaled = plan.steps.flatMap((step) =>
    step.kind === "scale" ? [step.worker === undefined ? who.service : who.worker(step.worker)] : [],
  );
  const done = plan.steps.flatMap((step, i) => {
    if (step.kind !== "scale") return phrases[step.kind] ?? [];
    const first = plan.steps.findIndex((s) => s.kind === "scale") === i;
    return first && phrases.scale ? [phrases.scale(andList(scaled), scaled.length > 1)] : [];
  });
  return done.join(" and ");
}

const andList = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : (items[0] ?? ""));

const taskCount = ({ desiredCount, minCapacity, maxCapacity }: Capacity) =>
  `${desiredCount} task${desiredCount === 1 ? "" : "s"} (auto scaling ${minCapacity}–${maxCapacity})`;

/** The record, service by service: what wake restores. */
function recordedLine(record: SleepRecord, config: ScheduleConfig): string {
  const who = namesOf(config);
  const workers = Object.entries(record.workers ?? {}).map(([name, capacity]) => `, ${who.worker(name)} ${taskCount(capacity)}`);
  const database = config.databaseName && record.database !== "none" ? `, database ${config.databaseName} ${record.database}` : "";
  const service = workers.length ? `${who.service.replace(/^the /, "")} ` : "";
  return `${service}${taskCount(record.capacity)}${workers.join("")}${database}`;
}

function describe(step: Step, who: Subjects): string[] {
  switch (step.kind) {
    case "record":
      return [];
    case "scale": {
      const subject = step.worker === undefined ? who.service : who.worker(step.worker);
      if (isZero(step.to)) return [`Scaled ${subject} to 0 tasks (auto scaling 0–0).`];
      return [subject === THE_SERVICE ? `Restored ${taskCount(step.to)}.` : `Restored ${subject}: ${taskCount(step.to)}.`];
    }
    case "stop-database":
      return ["Stopped the database."];
    case "start-database":
      return ["Started the database."];
    case "stop-canary":
      return ["Paused the synthetic user (its alarm stays quiet while the stage sleeps)."];
    case "start-canary":
      return ["Started the synthetic user again."];
    case "forget-record":
      return [];
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
