import { ChatOpsAction } from "../settings/chatops";
import * as z from "../zod";

/**
 * A Slack button press (a `block_actions` interaction), read only after its
 * signature was verified: who pressed which of our buttons, where. The
 * button's value is an opaque ticket id the server resolves from its own
 * state; nothing else in the payload (stage, deployment, ARN) is trusted.
 */

export const ACTION_ID_PREFIX = "hoo:";

/** The action_id our buttons carry: the action, so that a value moved to another button is caught. */
export const actionId = (action: ChatOpsAction) => `${ACTION_ID_PREFIX}${action}`;

export const TICKET_ID = /^[A-Za-z0-9_-]{22}$/;

const BlockActions = z.looseObject({
  type: z.literal("block_actions"),
  team: z.looseObject({ id: z.string().check(z.minLength(1)).check(z.maxLength(40)) }),
  user: z.looseObject({
    id: z.string().check(z.minLength(1)).check(z.maxLength(40)),
    username: z.optional(z.string().check(z.maxLength(80))),
    name: z.optional(z.string().check(z.maxLength(80))),
  }),
  channel: z.optional(z.looseObject({ id: z.string().check(z.minLength(1)).check(z.maxLength(40)) })),
  container: z.optional(
    z.looseObject({ channel_id: z.optional(z.string().check(z.maxLength(40))), message_ts: z.optional(z.string().check(z.maxLength(40))) }),
  ),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().check(z.maxLength(255)),
        value: z.optional(z.string().check(z.maxLength(2000))),
        action_ts: z.optional(z.string().check(z.maxLength(40))),
      }),
    )
    .check(z.length(1)),
  response_url: z.optional(z.url({ protocol: /^https$/, hostname: /^hooks\.slack\.com$/ }).check(z.maxLength(500))),
  /** The message as Slack shows it, so that the click's result can replace its buttons (Slack allows 50 blocks). */
  message: z.optional(
    z.looseObject({
      blocks: z.optional(z.array(z.looseObject({ type: z.string() })).check(z.maxLength(50))),
    }),
  ),
});

export interface Interaction {
  teamId: string;
  userId: string;
  userName: string;
  channelId: string | null;
  messageTs: string | null;
  action: ChatOpsAction;
  ticketId: string;
  responseUrl: string | null;
  /** The pressed message's blocks, for showing the result in place of its buttons; never used to decide anything. */
  blocks: Record<string, unknown>[] | null;
}

export type ReadInteraction = { ok: true; interaction: Interaction } | { ok: false; reason: string } | { ok: "link" };

/** Slack also reports presses of a link button; there is nothing to do but answer. */
const LINK_BUTTON = /^link-\d+$/;

export function readInteraction(body: string): ReadInteraction {
  const raw = new URLSearchParams(body).get("payload");
  if (raw === null) return { ok: false, reason: "no payload field in the form body" };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "the payload is not JSON" };
  }
  const parsed = BlockActions.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not a button press we handle (${issue?.path.join(".") || "payload"}: ${issue?.message})` };
  }
  const { team, user, channel, container, actions, response_url, message } = parsed.data;
  const [pressed] = actions as [(typeof actions)[number]];
  if (LINK_BUTTON.test(pressed.action_id)) return { ok: "link" };
  const action = pressed.action_id.startsWith(ACTION_ID_PREFIX)
    ? ChatOpsAction.safeParse(pressed.action_id.slice(ACTION_ID_PREFIX.length))
    : null;
  if (!action?.success) return { ok: false, reason: `unknown action ${JSON.stringify(pressed.action_id.slice(0, 60))}` };
  if (!pressed.value || !TICKET_ID.test(pressed.value)) return { ok: false, reason: "the button's value is not one of our tickets" };
  return {
    ok: true,
    interaction: {
      teamId: team.id,
      userId: user.id,
      userName: user.username ?? user.name ?? user.id,
      channelId: channel?.id ?? container?.channel_id ?? null,
      messageTs: container?.message_ts ?? null,
      action: action.data,
      ticketId: pressed.value,
      responseUrl: response_url ?? null,
      blocks: message?.blocks ?? null,
    },
  };
}
