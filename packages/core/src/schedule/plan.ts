import type { StageState } from "./calendar";

/**
 * What it takes to bring the stage to the state the calendar wants, from
 * what is observed now and what was recorded when it went to sleep. Pure, so
 * every combination is tested; sleeping a sleeping stage or waking an awake
 * one plans nothing, and a tick after a missed one converges.
 */

export interface Capacity {
  desiredCount: number;
  minCapacity: number;
  maxCapacity: number;
}

/** The stage's workers (non-public services) by their name in the settings; absent where it has none. */
export type WorkerCapacities = Record<string, Capacity>;

/** What the stage was like before it went to sleep: wake restores exactly this. */
export interface SleepRecord {
  /** The public service's. */
  capacity: Capacity;
  /** Each worker's; absent in a record written before workers slept (each then wakes with its defaults). */
  workers?: WorkerCapacities;
  /** "none": the stage has no database (database.enabled false). */
  database: "available" | "stopped" | "none";
  sleptAt: string;
  /** The synthetic user, where the stage has one: wake starts it again only if it was running. */
  canary?: "running" | "stopped";
}

/** The synthetic user's state, simplified: null where the stage has none. */
export type CanaryState = "running" | "stopped" | "changing";

export interface Observed {
  /** The public service's. */
  capacity: Capacity;
  /** Each worker the stage has (the function's WORKERS), observed; absent or empty where it has none. */
  workers?: WorkerCapacities;
  /** An RDS DB instance status, e.g. available, stopping, stopped, starting, backing-up; null: the stage has none. */
  database: string | null;
  /** A CodeDeploy release is shifting traffic: scaling to zero now would fail it. */
  releaseInProgress: boolean;
  /** The stage's synthetic user (CloudWatch Synthetics canary); null where it has none. */
  canary?: CanaryState | null;
}

export type Step =
  | { kind: "record"; record: SleepRecord }
  | { kind: "start-database" }
  /** The public service, or the worker named. */
  | { kind: "scale"; to: Capacity; worker?: string }
  | { kind: "stop-database" }
  | { kind: "stop-canary" }
  | { kind: "start-canary" }
  | { kind: "forget-record" };

export interface Plan {
  target: StageState;
  steps: Step[];
  /** Come back later: something could not be done yet, and why. */
  recheck: { inMinutes: number; why: string } | null;
  notes: string[];
}

export const ZERO: Capacity = { desiredCount: 0, minCapacity: 0, maxCapacity: 0 };

/** The capacity each service wakes with when nothing was recorded: the public service's, and each worker's by name. */
export interface Defaults {
  service: Capacity;
  workers: WorkerCapacities;
}

export function planConvergence(target: StageState, observed: Observed, record: SleepRecord | null, defaults: Defaults, now: Date): Plan {
  return target === "asleep" ? planSleep(observed, record, defaults, now) : planWake(observed, record, defaults);
}

function planSleep(observed: Observed, record: SleepRecord | null, defaults: Defaults, now: Date): Plan {
  const plan: Plan = { target: "asleep", steps: [], recheck: null, notes: [] };
  if (observed.releaseInProgress) {
    plan.recheck = { inMinutes: 15, why: "a release is in progress: sleep waits until it has finished" };
    return plan;
  }
  const workers = Object.entries(observed.workers ?? {});
  if (!record) {
    if (isZero(observed.capacity)) plan.notes.push("nothing was running to record: the stage will wake with its default task count");
    for (const [name, capacity] of workers)
      if (isZero(capacity)) plan.notes.push(`worker ${name} had nothing running to record: it will wake with its default task count`);
    plan.steps.push({
      kind: "record",
      record: {
        capacity: toRecord(observed.capacity, defaults.service),
        ...(workers.length
          ? { workers: Object.fromEntries(workers.map(([name, capacity]) => [name, toRecord(capacity, workerDefaults(defaults, name))])) }
          : {}),
        database: databaseAtSleep(observed.database),
        sleptAt: now.toISOString(),
        ...(observed.canary ? { canary: observed.canary === "stopped" ? "stopped" : "running" } : {}),
      },
    });
  }
  // First the synthetic user, which would otherwise fail against a stage going to sleep and raise its release alarm.
  if (observed.canary === "running") plan.steps.push({ kind: "stop-canary" });
  if (!isZero(observed.capacity)) plan.steps.push({ kind: "scale", to: ZERO });
  for (const [worker, capacity] of workers) if (!isZero(capacity)) plan.steps.push({ kind: "scale", to: ZERO, worker });
  if (observed.database === null) return plan;
  if (observed.database === "available") plan.steps.push({ kind: "stop-database" });
  else if (observed.database === "starting")
    plan.recheck = { inMinutes: 10, why: "the database is starting: it can only be stopped once available" };
  else if (!["stopped", "stopping"].includes(observed.database))
    plan.recheck = { inMinutes: 15, why: `the database is ${observed.database}: it can only be stopped once available` };
  return plan;
}

function planWake(observed: Observed, record: SleepRecord | null, defaults: Defaults): Plan {
  const plan: Plan = { target: "awake", steps: [], recheck: null, notes: [] };
  // Only what the sleep stopped is started: a database someone stopped by hand, with no record of ours, stays stopped.
  if (record?.database === "available") {
    if (observed.database === "stopped") plan.steps.push({ kind: "start-database" });
    else if (observed.database === "stopping")
      plan.recheck = { inMinutes: 5, why: "the database is still stopping: it can only be started once stopped" };
  }
  const wanted = toWake(record?.capacity, observed.capacity, defaults.service);
  if (!record && wanted) plan.notes.push("no state was recorded at sleep: the stage wakes with its default task count");
  if (wanted && !sameCapacity(wanted, observed.capacity)) plan.steps.push({ kind: "scale", to: wanted });
  for (const [worker, capacity] of Object.entries(observed.workers ?? {})) {
    const recorded = record?.workers?.[worker];
    const to = toWake(recorded, capacity, workerDefaults(defaults, worker));
    // A record of before workers slept (or of before this worker existed): its defaults, said once per worker.
    if (record && !recorded && to) plan.notes.push(`worker ${worker} was not recorded at sleep: it wakes with its default task count`);
    if (to && !sameCapacity(to, capacity)) plan.steps.push({ kind: "scale", to, worker });
  }
  // The synthetic user comes back last, once the database answers: before that it would fail and page.
  if (record?.canary === "running" && observed.canary === "stopped") {
    if (observed.database === "available" || observed.database === null) plan.steps.push({ kind: "start-canary" });
    else plan.recheck ??= { inMinutes: 5, why: "the synthetic user starts again once the database is available" };
  }
  // The record stays until everything it asks for is done, so that the recheck still knows what to restore.
  if (record && !plan.recheck) plan.steps.push({ kind: "forget-record" });
  return plan;
}

/** What to record of a service going to sleep: what runs, or its defaults where nothing does (never zero to wake to). */
function toRecord(observed: Capacity, defaults: Capacity): Capacity {
  return isZero(observed) ? defaults : observed;
}

/** What a service wakes to: what was recorded, else its defaults if it is down; null: leave it as it is. */
function toWake(recorded: Capacity | undefined, observed: Capacity, defaults: Capacity): Capacity | null {
  return recorded ?? (isZero(observed) || observed.desiredCount === 0 ? defaults : null);
}

/** A worker the function was not told the defaults of wakes with none: it is only ever one it was told of (WORKERS). */
function workerDefaults(defaults: Defaults, worker: string): Capacity {
  return defaults.workers[worker] ?? ZERO;
}

function databaseAtSleep(status: string | null): SleepRecord["database"] {
  if (status === null) return "none";
  return ["stopped", "stopping"].includes(status) ? "stopped" : "available";
}

/** Whether the plan changes the stage itself (not only the bookkeeping). */
export function changesStage(plan: Plan): boolean {
  return plan.steps.some((step) => step.kind !== "record" && step.kind !== "forget-record");
}

export function isZero(capacity: Capacity): boolean {
  return capacity.desiredCount === 0 && capacity.minCapacity === 0 && capacity.maxCapacity === 0;
}

function sameCapacity(a: Capacity, b: Capacity): boolean {
  return a.desiredCount === b.desiredCount && a.minCapacity === b.minCapacity && a.maxCapacity === b.maxCapacity;
}
