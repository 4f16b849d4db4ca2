import type { AutomationNotice } from "../notify/sources/automation";
import type { CanaryState, Capacity, SleepRecord, WorkerCapacities } from "./plan";

/** The stage's ECS services (the public one and its workers) and their scalable targets. */
export interface StageCapacityPort {
  /** The public service's capacity, release and tags; each worker's capacity by name (absent where it has none). */
  observe(): Promise<{ capacity: Capacity; workers?: WorkerCapacities; releaseInProgress: boolean; tags: Record<string, string> }>;
  /** Scalable target limits first, then the desired count: of the public service, or of the worker named. */
  scale(to: Capacity, worker?: string): Promise<void>;
  /** Sets the keep-awake tags on the public service. */
  keepAwake(until: Date, reason: string): Promise<void>;
}

/** The RDS instance. */
export interface DatabasePowerPort {
  status(): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The stage's synthetic user (a CloudWatch Synthetics canary). */
export interface CanaryPowerPort {
  status(): Promise<CanaryState>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A completed night: from sleep to wake, and what it saved. */
export interface Night {
  sleptAt: Date;
  wokeAt: Date;
  saved: number;
}

/** What the schedule remembers in the state table. */
export interface SleepLedgerPort {
  current(): Promise<SleepRecord | null>;
  /** The one record per sleep: false when one is already there (it is kept, never overwritten). */
  record(record: SleepRecord): Promise<boolean>;
  forget(): Promise<void>;
  addNight(night: Night): Promise<void>;
  nights(since: Date): Promise<Night[]>;
}

/** One-time checks, for what cannot be done yet (a database still stopping, a keep-awake that expires). */
export interface RecheckPort {
  at(when: Date, why: string): Promise<"scheduled" | "already-scheduled">;
}

export interface SchedulePorts {
  stage: StageCapacityPort;
  /** null where the stage has no database. */
  database: DatabasePowerPort | null;
  /** null where the stage has no synthetic user. */
  canary: CanaryPowerPort | null;
  ledger: SleepLedgerPort;
  rechecks: RecheckPort;
  notify(notice: AutomationNotice): Promise<void>;
}
