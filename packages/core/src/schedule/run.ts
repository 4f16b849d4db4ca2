import { type Decision, decide, nextChange } from "./calendar";
import type { ScheduleConfig } from "./config";
import { readKeepAwake } from "./keep-awake";
import { failureNotice, noticeOf, summaryNotice } from "./notice";
import { changesStage, type Plan, planConvergence, type Step } from "./plan";
import type { SchedulePorts } from "./ports";
import { hoursBetween, savedBetween } from "./savings";
import type { Trigger } from "./trigger";

/**
 * One tick of the schedule: look at the stage, ask the calendar what it
 * should be now, carry out the plan (or, in dry-run, only say so), book the
 * night, and tell on-call when it matters. Every tick converges, whichever
 * tick came before it.
 */

export interface TickResult {
  decision: Decision;
  plan: Plan;
  dryRun: boolean;
  recheckAt: Date | null;
  notified: boolean;
  /** Why nothing was done: a "Wake now" on a stage already awake. */
  declined?: string;
}

export async function converge(trigger: Trigger, config: ScheduleConfig, ports: SchedulePorts, now: Date): Promise<TickResult> {
  if (trigger.kind === "keep-awake" && trigger.wakeOnly) {
    const awake = await alreadyAwake(config, ports, now);
    if (awake) return awake;
  }
  // Asked to stay awake (a deploy, a person): the tag first, so that this tick and every later one honour it.
  if (trigger.kind === "keep-awake" && config.mode !== "dry-run") await ports.stage.keepAwake(trigger.until, trigger.reason);
  const { observed, database, record, canary } = await present(ports);
  const { keepAwake, note } = readKeepAwake(observed.tags, now);
  const decision = decide(now, config.calendar, keepAwake);
  const plan = planConvergence(decision.state, { ...observed, database, canary }, record, config.defaults, now);
  if (note) plan.notes.push(note);
  if (decision.holidaysUnknown)
    plan.notes.push(`holidays after ${config.calendar.closed.until} are unknown until the stack is deployed again`);
  const dryRun = config.mode === "dry-run";
  const recheckAt = plan.recheck ? new Date(now.getTime() + plan.recheck.inMinutes * 60_000) : null;

  let saved: number | null = null;
  try {
    if (!dryRun) {
      for (const step of plan.steps) await carryOut(step, ports);
      if (recheckAt && plan.recheck) await ports.rechecks.at(recheckAt, plan.recheck.why);
      // The keep-awake's end is when the stage should go to sleep: nothing else ticks then.
      if (keepAwake) await ports.rechecks.at(keepAwake.until, "the keep-awake override ends");
    }
    if (record && plan.steps.some((step) => step.kind === "forget-record")) {
      saved = savedBetween(record, new Date(record.sleptAt), now, config.cost);
      if (!dryRun) await ports.ledger.addNight({ sleptAt: new Date(record.sleptAt), wokeAt: now, saved });
    }
  } catch (error) {
    await ports.notify(failureNotice(config, decision, error as Error));
    throw error;
  }

  const notified = worthTelling(trigger, plan);
  if (notified) {
    const sleeping = plan.steps.find((step): step is Extract<Step, { kind: "record" }> => step.kind === "record")?.record ?? record;
    const nextWake = decision.state === "asleep" ? nextChange(now, config.calendar) : null;
    await ports.notify(
      noticeOf({ trigger, config, decision, plan, dryRun, recheckAt, now, nextWake, sleeping, slept: record ? { record, saved } : null }),
    );
  }
  return { decision, plan, dryRun, recheckAt, notified };
}

/** The stage, its database, its synthetic user and the sleep record, as they are now. */
async function present(ports: SchedulePorts) {
  const [observed, database, record, canary] = await Promise.all([
    ports.stage.observe(),
    ports.database ? ports.database.status() : null,
    ports.ledger.current(),
    ports.canary ? ports.canary.status() : null,
  ]);
  return { observed, database, record, canary };
}

/**
 * A "Wake now" pressed after the stage woke (by its schedule, another press, a deploy): waking would plan nothing,
 * so nothing is set either. Its keep-awake tag would otherwise keep the stage up past its working hours.
 */
async function alreadyAwake(config: ScheduleConfig, ports: SchedulePorts, now: Date): Promise<TickResult | null> {
  const { observed, database, record, canary } = await present(ports);
  const decision = decide(now, config.calendar, readKeepAwake(observed.tags, now).keepAwake);
  const plan = planConvergence("awake", { ...observed, database, canary }, record, config.defaults, now);
  if (changesStage(plan) || plan.recheck) return null;
  const why = decision.state === "awake" ? ` (${decision.why})` : "";
  return {
    decision,
    plan,
    dryRun: config.mode === "dry-run",
    recheckAt: null,
    notified: false,
    declined: `${config.stage} is already awake${why}`,
  };
}

/**
 * The scheduled ticks always report (also "nothing to do", which says the
 * schedule works); a check or the RDS event reports only what changed, or
 * why it has to wait.
 */
function worthTelling(trigger: Trigger, plan: Plan): boolean {
  if (trigger.kind !== "check") return true;
  return changesStage(plan);
}

async function carryOut(step: Step, ports: SchedulePorts) {
  switch (step.kind) {
    case "record":
      // Another tick may have recorded first: its record is the one to keep.
      await ports.ledger.record(step.record);
      return;
    case "start-database":
      return ports.database?.start();
    case "scale":
      return ports.stage.scale(step.to, step.worker);
    case "stop-database":
      return ports.database?.stop();
    case "stop-canary":
      return ports.canary?.stop();
    case "start-canary":
      return ports.canary?.start();
    case "forget-record":
      return ports.ledger.forget();
  }
}

/** The week in one message: nights slept in the last seven days (and the one under way) and what they saved. */
export async function weeklySummary(config: ScheduleConfig, ports: SchedulePorts, now: Date) {
  const since = new Date(now.getTime() - 7 * 86_400_000);
  const [nights, record] = await Promise.all([ports.ledger.nights(since), ports.ledger.current()]);
  const periods = nights.map((night) => ({ hours: hoursBetween(night.sleptAt, night.wokeAt), saved: night.saved }));
  if (record) {
    const from = new Date(Math.max(new Date(record.sleptAt).getTime(), since.getTime()));
    periods.push({ hours: hoursBetween(from, now), saved: savedBetween(record, from, now, config.cost) });
  }
  const totals = {
    periods: periods.length,
    hours: periods.reduce((sum, period) => sum + period.hours, 0),
    saved: periods.reduce((sum, period) => sum + period.saved, 0),
    asleepNow: record !== null,
  };
  await ports.notify(summaryNotice(config, totals, now));
  return totals;
}
