import type { SlackPayload } from "@hands-off-ops/core/notify/render/slack";
import type { HttpRequest, HttpRoute } from "../http";
import { REPLAY_WEBHOOK_URL } from "./secrets-manager";

/** A message as on-call reads it: where it went, what it says, and whether it replaced one or replied in a thread. */
export interface SlackPosted {
  channel: string;
  payload: SlackPayload;
  threadTs?: string;
  updated?: boolean;
}

/** Slack's side of one story: every message gets its own ts (one count for the whole story). */
export interface SlackWorld {
  messages: number;
}

const UPLOAD_URL = "https://files.slack.com/upload/v1/replay";

/**
 * Slack as the Web API, an incoming webhook and a response URL answer: what is posted is kept (to be shown), each
 * message gets a ts, files are taken. `shown` collects what a response URL replaced the pressed message with.
 */
export function slackRoutes(world: SlackWorld, posted: SlackPosted[], presser: { shown?: SlackPayload[]; told?: string[] } = {}) {
  return (request: HttpRequest): HttpRoute | undefined => {
    const { url, body } = request;
    const payload = () => ({ text: String(body.text ?? ""), blocks: (body.blocks ?? []) as SlackPayload["blocks"] });
    if (url.href === REPLAY_WEBHOOK_URL)
      return {
        service: "Slack",
        operation: "incoming webhook",
        detail: "the webhook's channel",
        answer: () => {
          posted.push({ channel: "the webhook's channel", payload: payload() });
          return { text: "ok" };
        },
      };
    if (url.href === UPLOAD_URL)
      return { service: "Slack", operation: "file upload", detail: "the graph's PNG", answer: () => ({ text: "OK - 1" }) };
    if (url.host === "hooks.slack.com" && url.pathname.startsWith("/actions/"))
      return {
        service: "Slack",
        operation: "response_url",
        detail: body.replace_original
          ? "replace_original: the message with the click's result in place of its buttons"
          : "ephemeral: only the presser sees it",
        answer: () => {
          if (body.replace_original) presser.shown?.push(payload());
          else presser.told?.push(String(body.text ?? ""));
          return { text: "ok" };
        },
      };
    if (url.host !== "slack.com" || !url.pathname.startsWith("/api/")) return undefined;
    const method = url.pathname.slice("/api/".length);
    const channel = String(body.channel ?? body.channel_id ?? "");
    const thread = body.thread_ts ? ` (in thread ${body.thread_ts})` : "";
    switch (method) {
      case "chat.postMessage":
        return {
          service: "Slack",
          operation: method,
          detail: `${channel}${thread}`,
          answer: () => {
            posted.push({ channel, payload: payload(), ...(body.thread_ts ? { threadTs: String(body.thread_ts) } : {}) });
            return { json: { ok: true, channel, ts: `1700000000.${String(++world.messages).padStart(6, "0")}` } };
          },
        };
      case "chat.update":
        return {
          service: "Slack",
          operation: method,
          detail: `${channel} ${body.ts}`,
          answer: () => {
            posted.push({ channel, payload: payload(), updated: true });
            return { json: { ok: true, channel, ts: body.ts } };
          },
        };
      case "chat.delete":
        return {
          service: "Slack",
          operation: method,
          detail: `${channel} ${body.ts}`,
          answer: () => ({ json: { ok: true, channel, ts: body.ts } }),
        };
      case "files.getUploadURLExternal":
        return {
          service: "Slack",
          operation: method,
          detail: `${body.filename} (${body.length} bytes)`,
          answer: () => ({ json: { ok: true, upload_url: UPLOAD_URL, file_id: "F0REPLAY" } }),
        };
      case "files.completeUploadExternal": {
        const files = (body.files ?? []) as { id?: string; title?: string }[];
        return {
          service: "Slack",
          operation: method,
          detail: `"${files[0]?.title ?? ""}" in ${channel}${thread}`,
          answer: () => ({ json: { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) } }),
        };
      }
      case "usergroups.users.list":
        return {
          service: "Slack",
          operation: method,
          detail: String(body.usergroup ?? ""),
          answer: () => ({ json: { ok: true, users: [] } }),
        };
      default:
        return undefined;
    }
  };
}
