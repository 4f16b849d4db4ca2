import * as z from "zod";
import { AutomationMode } from "../settings/common";
import { jsonVariable, readEnvironment } from "../settings/environment";
import { RollbackSettingsSchema } from "../settings/rollback";

/** What the Automation stack puts into the rollback function's environment. */
const RollbackEnvironmentSchema = z.object({
  STAGE: z.string().min(1),
  APP_NAME: z.string().min(1),
  AUTOMATION_MODE: AutomationMode,
  ROLLBACK_SETTINGS: jsonVariable.pipe(RollbackSettingsSchema),
  BAKE_WINDOW_MINUTES: z.coerce.number().int().positive(),
  STATE_TABLE: z.string().min(1),
  APPLICATION: z.string().min(1),
  DEPLOYMENT_GROUP: z.string().min(1),
  CONTAINER_NAME: z.string().min(1),
  CONTAINER_PORT: z.coerce.number().int().min(1).max(65535),
  /** Set by Lambda itself: commands and links in the messages name it. */
  AWS_REGION: z.string().min(1).optional(),
});

export function readRollbackEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(RollbackEnvironmentSchema, env, "rollback function");
  return {
    stage: e.STAGE,
    alarmPrefix: `${e.STAGE}-${e.APP_NAME}-`,
    policy: { ...e.ROLLBACK_SETTINGS, mode: e.AUTOMATION_MODE, bakeWindowMinutes: e.BAKE_WINDOW_MINUTES },
    tableName: e.STATE_TABLE,
    target: {
      applicationName: e.APPLICATION,
      deploymentGroupName: e.DEPLOYMENT_GROUP,
      containerName: e.CONTAINER_NAME,
      containerPort: e.CONTAINER_PORT,
      region: e.AWS_REGION,
    },
  };
}
export type RollbackEnvironment = ReturnType<typeof readRollbackEnvironment>;
