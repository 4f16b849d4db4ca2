import type { ChatOpsSettings } from "@hands-off-ops/core/settings/chatops";
import { signAsSlack } from "../../../packages/cli/src/ops/replay/slack-signature";

/** Requests signed as Slack signs them (v0, HMAC-SHA256 over "v0:{timestamp}:{body}"), with a local test secret. */

export const SECRET = "8f742231b10e8888abcd990000008a5a";
export const NOW = Date.parse("2026-11-24T16:10:00Z");
export const TEAM = "T0TEAM0001";
export const CHANNEL = "C0ONCALL01";
export const USER = "U0ALICE001";
export const TICKET = "AAAAAAAAAAAAAAAAAAAAAA";

const named = (...users: string[]) => ({ users, groups: [], anyone: false });

/**
 * A stage connected to that workspace and channel: the on-call group acknowledges; one named person may change
 * releases (Do it, Roll back, Finish now, Approve); anyone there may keep the stage awake.
 */
export const CHATOPS_SETTINGS: ChatOpsSettings = {
  enabled: true,
  teamId: TEAM,
  channels: [CHANNEL],
  allow: {
    acknowledge: { users: [], groups: ["S0ONCALL01"], anyone: false },
    "do-it": named(USER),
    "roll-back": named(USER),
    "finish-now": named(USER),
    "keep-awake": { users: [], groups: [], anyone: true },
    approve: named(USER),
  },
  buttonHours: 24,
};

export function pressPayload(over: Record<string, unknown> = {}, action: Record<string, unknown> = {}) {
  return {
    type: "block_actions",
    team: { id: TEAM, domain: "example" },
    user: { id: USER, username: "alice", team_id: TEAM },
    channel: { id: CHANNEL, name: "ops-oncall" },
    container: { type: "message", message_ts: "1700000000.000100", channel_id: CHANNEL },
    response_url: "https://hooks.slack.com/actions/T0TEAM0001/1/abc",
    actions: [{ action_id: "hoo:acknowledge", block_id: "b", value: TICKET, type: "button", action_ts: "1700000001.000200", ...action }],
    ...over,
  };
}

export const formBody = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

export function sign(body: string, timestamp = Math.floor(NOW / 1000), secret = SECRET) {
  return { headers: signAsSlack(body, secret, timestamp), body };
}

/** A hook's request for approval (chatops/gate.ts): its checks passed, with one piece of evidence. */
export function approvalRequest(deploymentId: string, executionId: string) {
  return {
    stage: "prod",
    deploymentId,
    executionId,
    hook: "AfterAllowTestTraffic",
    deadlineMinutes: 30,
    onDeadline: "Failed" as const,
    evidence: {
      stage: "prod",
      actor: "canary-hook",
      severity: "info" as const,
      title: `AfterAllowTestTraffic passed for release ${deploymentId}`,
      summary: "3 smoke checks passed; the comparison with the current version found no regression",
      facts: [{ label: "p95 new / current", value: "41 ms / 40 ms, Mann-Whitney p 0.61" }],
    },
  };
}
