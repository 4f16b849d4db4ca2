import * as z from "../zod";

/**
 * Who may press which button in Slack: per action, Slack user ids and
 * user-group ids, or anyone in the stage's channels of its workspace.
 * Production is restricted by default: nobody, until named.
 */

/**
 * acknowledge: a person takes an incident. do-it: carry out, for real, what the automation decided in dry-run
 * (stop the release, roll back), through the same claim, cooldown and cap. roll-back: a release, from its thread,
 * by the rollback's own path. finish-now: end the wait that keeps the previous version's tasks. keep-awake: a
 * non-production stage stays (or wakes) up for a while. approve / reject: a release waiting at its approval gate.
 */
export const ChatOpsAction = z.enum(["acknowledge", "do-it", "roll-back", "finish-now", "keep-awake", "approve", "reject"]);
export type ChatOpsAction = z.infer<typeof ChatOpsAction>;

/** Who may press a button is set per permission; rejecting a release takes the same people as approving it. */
export const ChatOpsPermission = z.enum(["acknowledge", "do-it", "roll-back", "finish-now", "keep-awake", "approve"]);
export type ChatOpsPermission = z.infer<typeof ChatOpsPermission>;
export const permissionOf = (action: ChatOpsAction): ChatOpsPermission => (action === "reject" ? "approve" : action);
/** What changes a release: production refuses "anyone" for these. */
export const RELEASE_CHANGING_PERMISSIONS = ["do-it", "roll-back", "finish-now", "approve"] as const satisfies ChatOpsPermission[];

const Who = z.strictObject({
  users: z.array(z.string().check(z.regex(/^[UW][A-Z0-9]{8,}$/, "must be a Slack user id such as U0123ABCDE"))),
  groups: z.array(z.string().check(z.regex(/^S[A-Z0-9]{8,}$/, "must be a Slack user-group id such as S0123ABCDE"))),
  /** Anyone in the workspace who can see the message in one of the stage's channels. */
  anyone: z.boolean(),
});
export type ChatOpsWho = z.infer<typeof Who>;

export const ChatOpsSettingsSchema = z.strictObject({
  /** The interactivity endpoint exists for this stage. */
  enabled: z.boolean(),
  /** The Slack workspace whose clicks count (team id); null refuses every click until it is set. */
  teamId: z.nullable(z.string().check(z.regex(/^T[A-Z0-9]{8,}$/, "must be a Slack team id such as T0123ABCDE"))),
  /** Channel ids in which the stage's buttons may be pressed; empty refuses every click. */
  channels: z.array(z.string().check(z.regex(/^[CG][A-Z0-9]{8,}$/, "must be a channel id such as C0123ABCDE"))),
  allow: z.strictObject({
    acknowledge: Who,
    "do-it": Who,
    "roll-back": Who,
    "finish-now": Who,
    "keep-awake": Who,
    approve: Who,
  }),
  /** How long a button stays valid after it was posted. */
  buttonHours: z.number().check(z.int()).check(z.gte(1)).check(z.lte(168)),
});
export type ChatOpsSettings = z.infer<typeof ChatOpsSettingsSchema>;

const nobody: ChatOpsWho = { users: [], groups: [], anyone: false };
const anyone: ChatOpsWho = { users: [], groups: [], anyone: true };

/**
 * Nobody may act until the stage names who may; non-production stages let anyone in their channels acknowledge and
 * keep the stage awake. Whatever changes a release (roll back, finish, approve, do it) is named per stage.
 */
export const CHATOPS_DEFAULTS = {
  production: {
    enabled: true,
    teamId: null,
    channels: [],
    allow: {
      acknowledge: nobody,
      "do-it": nobody,
      "roll-back": nobody,
      "finish-now": nobody,
      "keep-awake": nobody,
      approve: nobody,
    },
    buttonHours: 24,
  },
  other: {
    enabled: true,
    teamId: null,
    channels: [],
    allow: {
      acknowledge: anyone,
      "do-it": nobody,
      "roll-back": nobody,
      "finish-now": nobody,
      "keep-awake": anyone,
      approve: nobody,
    },
    buttonHours: 24,
  },
} satisfies Record<string, ChatOpsSettings>;

/** Whether the stage's buttons can be pressed at all: its endpoint exists and it names the Slack workspace it answers. */
export const slackConnected = (chatops: Pick<ChatOpsSettings, "enabled" | "teamId">) => chatops.enabled && chatops.teamId !== null;
