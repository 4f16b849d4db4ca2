import type { IncomingWebhook } from "@slack/webhook";
import type { SlackPort } from "./ports";

/** Slack through an incoming webhook: one fixed channel, no threads, no updates, no files. Its client is made at the first post. */
export function webhookSlack(url: string, options: { retries?: number; minRetryDelayMs?: number; fetch?: typeof fetch } = {}): SlackPort {
  let webhook: IncomingWebhook | undefined;
  const connect = async () => {
    const slack = await import("../slack/webhook-library");
    webhook ??= new slack.IncomingWebhook(url, {
      timeout: 10_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retryConfig: { retries: options.retries ?? 3, factor: 2, minTimeout: options.minRetryDelayMs ?? 1000, maxTimeout: 8000 },
    });
    return webhook;
  };
  const cannot = (what: string) => () => Promise.reject(new Error(`An incoming webhook cannot ${what}`));
  return {
    canThread: false,
    async post({ payload }) {
      await (await connect()).send({ text: payload.text, blocks: payload.blocks, unfurl_links: false });
      return null;
    },
    update: cannot("update a message"),
    remove: cannot("delete a message"),
    uploadImage: cannot("upload a file"),
  };
}
