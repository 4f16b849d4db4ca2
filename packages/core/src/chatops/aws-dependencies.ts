import type { Clients } from "../aws/clients";
import { codeDeployHookReporter } from "../aws/hook-status";
import { eventBridgeNotices } from "../aws/notices";
import { dynamoNotifyStore } from "../aws/notify-store";
import { readJsonSecret } from "../aws/secrets";
import { stateTable } from "../aws/state-table";
import { dynamoChatOpsAudit, dynamoTicketStore } from "../aws/ticket-store";
import { readSigningSecret, readSlackConfig } from "../slack/config";
import { webApiSlack } from "../slack/web-api";
import { schedulerDeadlines } from "./aws-approval-deadlines";
import { dynamoApprovals } from "./aws-approval-store";
import { selfInvokedClicks } from "./aws-click-queue";
import { invokedRollback, invokedSchedule } from "./aws-function-invoke";
import { codeDeployReleases } from "./aws-release-continue";
import type { ChatOpsEnvironment } from "./environment";
import type { GatePorts } from "./gate";
import type { ChatOpsDependencies } from "./ports";
import { slackGroups } from "./slack-groups";
import { replaceOriginal, tellPresser } from "./slack-respond";

/** The real adapters, each loading its SDK client at its first call, with the given clients (the console's) or their own. */
export function awsDependencies(env: ChatOpsEnvironment, clients: Clients = {}): ChatOpsDependencies {
  // Read on every click: Powertools caches it for five minutes, so a rotated secret is picked up without a redeploy.
  const secret = () => readJsonSecret(env.slackSecretId, clients.secretsManager);
  const botToken = async () => {
    const config = readSlackConfig(await secret(), "web-api");
    if (config.kind !== "web-api")
      throw new Error(`Slack is not connected: ${config.kind === "unconfigured" ? config.reason : config.kind}`);
    return config.botToken;
  };
  const table = stateTable(clients);
  const incidents = dynamoNotifyStore(env.tableName, table);
  // The bot token is read at the first lookup, not before: a refused click never reads the secret for it.
  let groups: ReturnType<typeof slackGroups> | undefined;
  const notices = eventBridgeNotices(clients.eventBridge);
  const gatePorts: GatePorts = {
    approvals: dynamoApprovals(env.tableName, table),
    deadlines: schedulerDeadlines(env.deadlines, clients.scheduler),
    report: codeDeployHookReporter(clients.codeDeploy),
    notify: (notice) => notices.send(notice),
  };
  const gate = async () => gatePorts;
  // What a click is carried out with, made once per cold start; Slack's client again only when the token rotates.
  const carryOut: Omit<Awaited<ReturnType<ChatOpsDependencies["act"]>>, "slack"> = {
    ...gatePorts,
    store: incidents,
    audit: dynamoChatOpsAudit(env.tableName, env.stage, table),
    rollback: invokedRollback(env.rollbackFunction, clients.lambda),
    schedule: env.scheduleFunction ? invokedSchedule(env.scheduleFunction, env.timeZone, clients.lambda) : null,
    releases: codeDeployReleases(clients.codeDeploy),
    shown: { replace: (url, blocks, text) => replaceOriginal(url, blocks, text, clients.fetch) },
    timeZone: env.timeZone,
  };
  let slack: { token: string; port: ReturnType<typeof webApiSlack> } | undefined;
  return {
    now: () => new Date(),
    accept: {
      signingSecret: async () => readSigningSecret(await secret()),
      groups: {
        async members(groupId) {
          if (!groups) {
            const token = await botToken();
            groups ??= slackGroups(token, { apiUrl: env.slackApiUrl, fetch: clients.fetch });
          }
          return groups.members(groupId);
        },
      },
      tickets: dynamoTicketStore(env.tableName, table),
      present: { incidents },
      enqueue: selfInvokedClicks(env.functionName, clients.lambda),
      tellPresser: (url, text) => tellPresser(url, text, clients.fetch),
    },
    async act() {
      const token = await botToken();
      if (slack?.token !== token)
        slack = { token, port: webApiSlack(token, { apiUrl: env.slackApiUrl, retries: 3, minRetryDelayMs: 1000, fetch: clients.fetch }) };
      return { ...carryOut, slack: slack.port };
    },
    gate,
  };
}
