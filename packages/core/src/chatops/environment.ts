import { type ChatOpsSettings, ChatOpsSettingsSchema } from "../settings/chatops";
import { jsonVariable, readEnvironment, type VariablesOf } from "../settings/environment";
import * as z from "../zod";

/** What the stack puts into the interactivity endpoint's environment (Lambda adds its own name). */
const ChatOpsEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  CHATOPS_SETTINGS: z.pipe(jsonVariable, ChatOpsSettingsSchema),
  STATE_TABLE: z.string().check(z.minLength(1)),
  SLACK_SECRET_ID: z.string().check(z.minLength(1)),
  AWS_LAMBDA_FUNCTION_NAME: z.string().check(z.minLength(1)),
  /** The rollback function, which carries out "Do it" and "Roll back". */
  ROLLBACK_FUNCTION: z.string().check(z.minLength(1)),
  /** The schedule function (keep-awake); absent where the stage has no schedule. */
  SCHEDULE_FUNCTION: z.optional(z.string().check(z.minLength(1))),
  /** The stage's time zone: times on messages read in it, with UTC beside. */
  TIME_ZONE: z.string().check(z.minLength(1)),
  /** Where the approval gates' deadlines are scheduled, calling this function back. */
  APPROVAL_SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  APPROVAL_SCHEDULER_ROLE_ARN: z.string().check(z.startsWith("arn:")),
  APPROVAL_TARGET_ARN: z.string().check(z.startsWith("arn:")),
  /** A stand-in for slack.com in tests and local runs. */
  SLACK_API_URL: z.optional(z.url()),
});

/** What the Automation stack writes for the Slack actions function (stacks/lambda-environment.ts chatOpsVariables). */
export type ChatOpsVariables = VariablesOf<typeof ChatOpsEnvironment>;

export interface ChatOpsEnvironment {
  stage: string;
  settings: ChatOpsSettings;
  tableName: string;
  slackSecretId: string;
  functionName: string;
  rollbackFunction: string;
  scheduleFunction: string | null;
  timeZone: string;
  deadlines: { groupName: string; roleArn: string; functionArn: string };
  slackApiUrl?: string;
}

export function readChatOpsEnvironment(env: Record<string, string | undefined>): ChatOpsEnvironment {
  const e = readEnvironment(ChatOpsEnvironment, env, "Slack actions function");
  return {
    stage: e.STAGE,
    settings: e.CHATOPS_SETTINGS,
    tableName: e.STATE_TABLE,
    slackSecretId: e.SLACK_SECRET_ID,
    functionName: e.AWS_LAMBDA_FUNCTION_NAME,
    rollbackFunction: e.ROLLBACK_FUNCTION,
    scheduleFunction: e.SCHEDULE_FUNCTION ?? null,
    timeZone: e.TIME_ZONE,
    deadlines: { groupName: e.APPROVAL_SCHEDULE_GROUP, roleArn: e.APPROVAL_SCHEDULER_ROLE_ARN, functionArn: e.APPROVAL_TARGET_ARN },
    slackApiUrl: e.SLACK_API_URL,
  };
}
