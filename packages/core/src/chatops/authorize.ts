import { type ChatOpsPermission, type ChatOpsSettings, permissionOf } from "../settings/chatops";
import type { Interaction } from "./interaction";

/**
 * Whether this person may press this button here: the stage's workspace,
 * one of its channels, and a user or user group the stage's settings allow
 * for the action. Group membership is asked only when needed (a port, cached
 * by its adapter). The refusal says why, in words the person can act on.
 */

export interface GroupsPort {
  /** The user ids in a Slack user group. */
  members(groupId: string): Promise<readonly string[]>;
}

export const PERMISSION_LABEL: Record<ChatOpsPermission, string> = {
  acknowledge: "acknowledge incidents",
  "do-it": "carry out the automation's dry-run decisions",
  "roll-back": "roll back releases",
  "finish-now": "finish releases early",
  "keep-awake": "keep the stage awake",
  approve: "approve or reject releases",
};

export type Authorization = { ok: true } | { ok: false; reason: string };

export async function authorize(
  interaction: Pick<Interaction, "teamId" | "userId" | "channelId" | "action">,
  settings: ChatOpsSettings,
  stage: string,
  groups: GroupsPort,
): Promise<Authorization> {
  if (!settings.teamId) return { ok: false, reason: `Slack is not connected to ${stage} yet (chatops.teamId is not set)` };
  if (interaction.teamId !== settings.teamId) return { ok: false, reason: `this Slack workspace is not the one ${stage} answers` };
  if (!interaction.channelId || !settings.channels.includes(interaction.channelId))
    return { ok: false, reason: `${stage}'s buttons work only in its own channels (chatops.channels)` };
  const permission = permissionOf(interaction.action);
  const who = settings.allow[permission];
  if (who.anyone || who.users.includes(interaction.userId)) return { ok: true };
  for (const group of who.groups) if ((await groups.members(group)).includes(interaction.userId)) return { ok: true };
  const what = PERMISSION_LABEL[permission];
  if (!who.users.length && !who.groups.length)
    return { ok: false, reason: `nobody may ${what} on ${stage} from Slack yet (chatops.allow.${permission} names no one)` };
  return { ok: false, reason: `you are not allowed to ${what} on ${stage}` };
}
