import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server standing in for the Slack Web API (and an incoming
 * webhook): it answers like Slack, records every request, and can be told to
 * answer the next requests with an error (429 with Retry-After, 5xx).
 */

export interface SlackRequest {
  method: string;
  at: number;
  /** Form fields, with JSON fields (blocks) parsed. */
  body: Record<string, unknown>;
  authorization: string | undefined;
  bytes: number;
}

interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface SlackStandIn {
  apiUrl: string;
  webhookUrl: string;
  requests: SlackRequest[];
  /** Calls to one Web API method (or "upload", "webhook"). */
  calls(method: string): SlackRequest[];
  /** The next `count` requests get this answer instead of Slack's. */
  answerNext(count: number, answer: ScriptedAnswer): void;
  /** Every request gets this answer until `recover()`. */
  goDown(answer: ScriptedAnswer): void;
  recover(): void;
  reset(): void;
  close(): Promise<void>;
}

/** The workspace's user groups, as usergroups.users.list answers them. */
export const USER_GROUPS: Record<string, string[]> = { S0ONCALL01: ["U0ALICE001"] };

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const requests: SlackRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  let outage: ScriptedAnswer | null = null;
  let nextTs = 1_700_000_000;

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stand-in");
    const method = url.pathname.startsWith("/api/") ? url.pathname.slice(5) : url.pathname.startsWith("/upload/") ? "upload" : "webhook";
    requests.push({
      method,
      at: Date.now(),
      body: method === "upload" ? {} : parseBody(req, raw),
      authorization: req.headers.authorization,
      bytes: raw.length,
    });

    const failure = scripted.shift() ?? outage;
    if (failure) {
      res.writeHead(failure.status, { "content-type": "text/plain", ...failure.headers }).end(failure.body ?? "stand-in failure");
      return;
    }
    const body = requests.at(-1)?.body ?? {};
    const json = (value: object) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, ...value }));
    switch (method) {
      case "chat.postMessage":
        return json({ channel: channelId(String(body.channel)), ts: `${nextTs++}.000100` });
      case "usergroups.users.list":
        return json({ users: USER_GROUPS[String(body.usergroup)] ?? [] });
      case "chat.update":
      case "chat.delete":
        return json({ channel: body.channel, ts: body.ts });
      case "files.getUploadURLExternal":
        return json({ upload_url: `http://127.0.0.1:${port()}/upload/F0GRAPH`, file_id: "F0GRAPH" });
      case "files.completeUploadExternal":
        return json({ files: [{ id: "F0GRAPH", title: "graph" }] });
      case "upload":
      case "webhook":
        return res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      default:
        return json({ ok: false, error: "unknown_method" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = () => (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port()}/api/`,
    webhookUrl: `http://127.0.0.1:${port()}/webhook/T000/B000/secret`,
    requests,
    calls: (method) => requests.filter((r) => r.method === method),
    answerNext(count, answer) {
      for (let i = 0; i < count; i++) scripted.push(answer);
    },
    goDown(answer) {
      outage = answer;
    },
    recover() {
      outage = null;
    },
    reset() {
      nextTs = 1_700_000_000;
      requests.length = 0;
      scripted.length = 0;
      outage = null;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Slack answers with channel ids; the stand-in derives a stable one from a name ("#ops-oncall" → "C0OPSONCALL"). */
export function channelId(channel: string): string {
  return channel.startsWith("#")
    ? `C0${channel
        .slice(1)
        .replace(/[^a-z0-9]/gi, "")
        .toUpperCase()}`
    : channel;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text || "{}");
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    try {
      fields[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      fields[key] = value;
    }
  }
  return fields;
}
