import type { AutomationMode } from "../settings/schema";
import type { Calendar } from "./calendar";
import type { Defaults } from "./plan";
import type { StageCost } from "./savings";

/** What the schedule function knows of its stage, read once from its environment (environment.ts). */
export interface ScheduleConfig {
  stage: string;
  mode: AutomationMode;
  calendar: Calendar;
  /** The task count each service of the stage wakes with when nothing was recorded (the public one's, each worker's). */
  defaults: Defaults;
  cost: StageCost;
  /** null where the stage has no database. */
  databaseName: string | null;
}
