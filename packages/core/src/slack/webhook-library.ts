/**
 * Slack's incoming-webhook client, for its adapter to load at its first post. @slack/webhook is CommonJS: see
 * web-api-library.ts for why it is loaded through this ES module.
 */
export { IncomingWebhook } from "@slack/webhook";
