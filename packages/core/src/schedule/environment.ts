import { AutomationMode, StageKind } from "../settings/common";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import { ScheduleSettingsSchema } from "../settings/schedule";
import * as z from "../zod";
import type { ScheduleConfig } from "./config";

const CapacitySchema = z.strictObject({
  desiredCount: z.number().check(z.int()).check(z.gte(0)),
  minCapacity: z.number().check(z.int()).check(z.gte(0)),
  maxCapacity: z.number().check(z.int()).check(z.gte(0)),
});

/** A worker (a service of the stage that is not public), as the schedule puts it to sleep and wakes it. */
const WorkerSchema = z.strictObject({
  /** Its name in the settings' services: what the notices and the sleep record call it. */
  name: z.string().check(z.minLength(1)),
  /** Its ECS service's name, in the stage's cluster. */
  service: z.string().check(z.minLength(1)),
  /** What it wakes with when nothing was recorded: its minTasks, and its auto scaling limits. */
  defaults: CapacitySchema,
  /** Its task's size, for the saving. */
  vcpu: z.number().check(z.positive()),
  memoryGb: z.number().check(z.positive()),
});
export type ScheduleWorker = z.infer<typeof WorkerSchema>;

/** What the Automation stack puts into the schedule function's environment. */
const ScheduleEnvironmentSchema = z.object({
  STAGE: z.string().check(z.minLength(1)),
  STAGE_KIND: StageKind,
  AUTOMATION_MODE: AutomationMode,
  SCHEDULE_SETTINGS: z.pipe(jsonVariable, z.omit(ScheduleSettingsSchema, { holidays: true, closedDates: true })),
  /** Public holidays and closed dates, worked out at synth time (see schedule/holidays.ts). */
  CLOSED_DAYS: z.pipe(jsonVariable, z.strictObject({ days: z.record(z.string(), z.string()), until: z.string() })),
  /** The public service's. */
  DEFAULT_CAPACITY: z.pipe(jsonVariable, CapacitySchema),
  TASK_VCPU: z.coerce.number().check(z.positive()),
  TASK_MEMORY_GB: z.coerce.number().check(z.positive()),
  /** 0 where the stage has no database. */
  DATABASE_INSTANCES: z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(2)),
  STATE_TABLE: z.string().check(z.minLength(1)),
  CLUSTER: z.string().check(z.minLength(1)),
  SERVICE: z.string().check(z.minLength(1)),
  /** The stage's workers, each its own ECS service in CLUSTER; absent where it has none. */
  WORKERS: z.optional(z.pipe(jsonVariable, z.array(WorkerSchema))),
  /** Absent where the stage has no database (database.enabled false). */
  DATABASE_INSTANCE: z.optional(z.string().check(z.minLength(1))),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith("arn:")),
  DEAD_LETTER_QUEUE_ARN: z.string().check(z.startsWith("arn:")),
  /** The stage's synthetic user, paused while the stage sleeps; absent where it has none. */
  CANARY_NAME: z.optional(z.string().check(z.minLength(1))),
});

/** What the Automation stack writes for the schedule (stacks/lambda-environment.ts scheduleVariables). */
export type ScheduleVariables = VariablesOf<typeof ScheduleEnvironmentSchema>;

export function readScheduleEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(ScheduleEnvironmentSchema, env, "schedule function");
  const { prices, timeZone, workingDays, wakeAt, sleepAt } = e.SCHEDULE_SETTINGS;
  const workers = e.WORKERS ?? [];
  const byName = <T>(of: (worker: ScheduleWorker) => T) => Object.fromEntries(workers.map((worker) => [worker.name, of(worker)]));
  const config: ScheduleConfig = {
    stage: e.STAGE,
    mode: e.AUTOMATION_MODE,
    calendar: { timeZone, workingDays, wakeAt, sleepAt, closed: e.CLOSED_DAYS },
    defaults: { service: e.DEFAULT_CAPACITY, workers: byName((worker) => worker.defaults) },
    cost: {
      task: { vcpu: e.TASK_VCPU, memoryGb: e.TASK_MEMORY_GB },
      ...(workers.length ? { workers: byName(({ vcpu, memoryGb }) => ({ vcpu, memoryGb })) } : {}),
      databaseInstances: e.DATABASE_INSTANCES,
      prices,
    },
    databaseName: e.DATABASE_INSTANCE ?? null,
  };
  return {
    kind: e.STAGE_KIND,
    enabled: e.SCHEDULE_SETTINGS.enabled,
    config,
    tableName: e.STATE_TABLE,
    // The stage-capacity adapter's target: the public service, and the workers beside it in its cluster.
    service: { cluster: e.CLUSTER, service: e.SERVICE, workers: workers.map(({ name, service }) => ({ name, service })) },
    databaseInstance: e.DATABASE_INSTANCE ?? null,
    canaryName: e.CANARY_NAME ?? null,
    rechecks: { groupName: e.SCHEDULE_GROUP, roleArn: e.SCHEDULER_ROLE_ARN, deadLetterQueueArn: e.DEAD_LETTER_QUEUE_ARN },
  };
}
export type ScheduleEnvironment = ReturnType<typeof readScheduleEnvironment>;
