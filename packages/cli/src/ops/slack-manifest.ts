import type { AppsManifestCreateArguments } from "@slack/web-api";

/**
 * The Slack app a stage needs, as a manifest to paste into "Create an app →
 * From a manifest" (api.slack.com/apps): a bot that posts and updates
 * messages and uploads graphs (the notifier), reads user groups (who may
 * press a button), and sends button presses to the stage's endpoint.
 */

export type SlackManifest = AppsManifestCreateArguments["manifest"];

/** What the bot does, scope by scope: nothing more is asked. */
export const BOT_SCOPES = ["chat:write", "files:write", "usergroups:read"] as const;

export function slackManifest(stage: string, app: string, interactivityUrl: string): SlackManifest {
  return {
    display_information: {
      name: `${app} ${stage}`.slice(0, 35),
      description: `On-call messages of ${stage}, and the buttons that act on them`.slice(0, 140),
    },
    features: { bot_user: { display_name: `${app}-${stage}`.slice(0, 80), always_online: false } },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      interactivity: { is_enabled: true, request_url: interactivityUrl },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  };
}
