import type { AutomationMode } from "../settings/schema";
import type { Calendar } from "./calendar";
import type { Capacity } from "./plan";
import type { StageCost } from "./savings";

/** What the schedule function knows of its stage, read once from its environment (environment.ts). */
export interface ScheduleConfig {
  stage: string;
  mode: AutomationMode;
  calendar: Calendar;
  /** The task count a stage wakes with when nothing was recorded. */
  defaults: Capacity;
  cost: StageCost;
  /** null where the stage has no database. */
  databaseName: string | null;
}
