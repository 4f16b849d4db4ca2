import type { WebClient } from "@slack/web-api";
import type { SlackPort } from "../notify/ports";

export interface WebApiOptions {
  /** The Web API's base address; a local stand-in in tests. */
  apiUrl?: string;
  /** Retries of a failed call (5xx, network) with exponential backoff; a 429 waits for Retry-After first. */
  retries?: number;
  minRetryDelayMs?: number;
  requestTimeoutMs?: number;
  /** How requests are sent; the console's records them and answers as Slack would. */
  fetch?: typeof fetch;
}

/** Slack through the Web API with a bot token: threads, updates and file uploads. The client is client at the first call. */
export function webApiSlack(botToken: string, options: WebApiOptions = {}): SlackPort {
  let client: WebClient | undefined;
  const connect = async () => {
    if (client) return client;
    const { LogLevel, WebClient } = await import("./web-api-library");
    client ??= new WebClient(botToken, {
      slackApiUrl: options.apiUrl,
      // The WebClient honours Retry-After on 429 and backs off on 5xx; a Lambda cannot wait the default half hour.
      retryConfig: { retries: options.retries ?? 3, factor: 2, minTimeout: options.minRetryDelayMs ?? 1000, maxTimeout: 8000 },
      timeout: options.requestTimeoutMs ?? 10_000,
      logLevel: LogLevel.WARN,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return client;
  };

  return {
    canThread: true,

    async post({ channel, payload, threadTs, broadcast }) {
      const message = { channel, text: payload.text, blocks: payload.blocks, unfurl_links: false };
      const response = await (await connect()).chat.postMessage(
        threadTs ? { ...message, thread_ts: threadTs, reply_broadcast: broadcast === true } : message,
      );
      if (!response.channel || !response.ts) throw new Error("chat.postMessage answered without channel and ts");
      return { channel: response.channel, ts: response.ts };
    },

    async update({ channel, ts }, payload) {
      await (await connect()).chat.update({ channel, ts, text: payload.text, blocks: payload.blocks });
    },

    async remove({ channel, ts }) {
      await (await connect()).chat.delete({ channel, ts });
    },

    async uploadImage({ channel, ts }, png, title) {
      await (await connect()).files.uploadV2({ channel_id: channel, thread_ts: ts, file: Buffer.from(png), filename: "graph.png", title });
    },
  };
}
