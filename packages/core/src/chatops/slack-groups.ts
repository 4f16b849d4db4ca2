import type { WebClient } from "@slack/web-api";
import type { GroupsPort } from "./authorize";

/** Group members change rarely; a click must not wait for Slack each time. */
const CACHE_MS = 5 * 60_000;

/** Slack user-group members through the Web API (usergroups.users.list, scope usergroups:read), cached per group. */
export function slackGroups(botToken: string, options: { apiUrl?: string; now?: () => number; fetch?: typeof fetch } = {}): GroupsPort {
  let client: WebClient | undefined;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { users: readonly string[]; until: number }>();
  return {
    async members(groupId) {
      const cached = cache.get(groupId);
      if (cached && cached.until > now()) return cached.users;
      const slack = await import("../slack/web-api-library");
      client ??= new slack.WebClient(botToken, {
        slackApiUrl: options.apiUrl,
        retryConfig: { retries: 1 },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      const { users = [] } = await client.usergroups.users.list({ usergroup: groupId });
      cache.set(groupId, { users, until: now() + CACHE_MS });
      return users;
    },
  };
}
