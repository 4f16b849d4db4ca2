import { AutomationMode, StageKind } from "../settings/common";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import { ScheduleSettingsSchema } from "../settings/schedule";
import * as z from "../zod";
import type { ScheduleConfig } from "./config";

/** What the Automation stack puts into the schedule function's environment. */
const ScheduleEnvironmentSchema = z.object({
  STAGE: z.string().check(z.minLength(1)),
  STAGE_KIND: StageKind,
  AUTOMATION_MODE: AutomationMode,
  SCHEDULE_SETTINGS: z.pipe(jsonVariable, z.omit(ScheduleSettingsSchema, { holidays: true, closedDates: true })),
  /** Public holidays and closed dates, worked out at synth time (see schedule/holidays.ts). */
  CLOSED_DAYS: z.pipe(jsonVariable, z.strictObject({ days: z.record(z.string(), z.string()), until: z.string() })),
  DEFAULT_CAPACITY: z.pipe(
    jsonVariable,
    z.strictObject({
      desiredCount: z.number().check(z.int()).check(z.gte(0)),
      minCapacity: z.number().check(z.int()).check(z.gte(0)),
      maxCapacity: z.number().check(z.int()).check(z.gte(0)),
    }),
  ),
  TASK_VCPU: z.coerce.number().check(z.positive()),
  TASK_MEMORY_GB: z.coerce.number().check(z.positive()),
  /** 0 where the stage has no database. */
  DATABASE_INSTANCES: z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(2)),
  STATE_TABLE: z.string().check(z.minLength(1)),
  CLUSTER: z.string().check(z.minLength(1)),
  SERVICE: z.string().check(z.minLength(1)),
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
  const config: ScheduleConfig = {
    stage: e.STAGE,
    mode: e.AUTOMATION_MODE,
    calendar: { timeZone, workingDays, wakeAt, sleepAt, closed: e.CLOSED_DAYS },
    defaults: e.DEFAULT_CAPACITY,
    cost: { task: { vcpu: e.TASK_VCPU, memoryGb: e.TASK_MEMORY_GB }, databaseInstances: e.DATABASE_INSTANCES, prices },
    databaseName: e.DATABASE_INSTANCE ?? null,
  };
  return {
    kind: e.STAGE_KIND,
    enabled: e.SCHEDULE_SETTINGS.enabled,
    config,
    tableName: e.STATE_TABLE,
    service: { cluster: e.CLUSTER, service: e.SERVICE },
    databaseInstance: e.DATABASE_INSTANCE ?? null,
    canaryName: e.CANARY_NAME ?? null,
    rechecks: { groupName: e.SCHEDULE_GROUP, roleArn: e.SCHEDULER_ROLE_ARN, deadLetterQueueArn: e.DEAD_LETTER_QUEUE_ARN },
  };
}
export type ScheduleEnvironment = ReturnType<typeof readScheduleEnvironment>;
