import type { Clients } from "../aws/clients";
import { noticesOnFirstUse } from "../aws/on-first-use";
import { loadOnce, onFirstCall } from "../lazy";
import type { ChatOpsEnvironment } from "./environment";
import type { GatePorts } from "./gate";
import type { ChatOpsDependencies } from "./ports";

/** The real adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsDependencies(env: ChatOpsEnvironment, clients: Clients = {}): ChatOpsDependencies {
  // Read on every click: Powertools caches it for five minutes, so a rotated secret is picked up without a redeploy.
  const secret = async () => (await import("../aws/secrets")).readJsonSecret(env.slackSecretId, clients.secretsManager);
  const botToken = async () => {
    const { readSlackConfig } = await import("../slack/config");
    const config = readSlackConfig(await secret(), "web-api");
    if (config.kind !== "web-api")
      throw new Error(`Slack is not connected: ${config.kind === "unconfigured" ? config.reason : config.kind}`);
    return config.botToken;
  };
  const dynamo = loadOnce(async () => clients.dynamoDB ?? (await import("../aws/clients")).stateTableClient());
  const tickets = onFirstCall(async () => (await import("../aws/ticket-store")).dynamoTicketStore(env.tableName, await dynamo()));
  const incidents = onFirstCall(async () => (await import("../aws/notify-store")).dynamoNotifyStore(env.tableName, await dynamo()));
  const groups = onFirstCall(async () =>
    (await import("./slack-groups")).slackGroups(await botToken(), {
      apiUrl: env.slackApiUrl,
      fetch: clients.fetch,
    }),
  );
  const reporter = loadOnce(async () => (await import("../aws/hook-status")).codeDeployHookReporter(clients.codeDeploy));
  const notices = noticesOnFirstUse(clients);
  const gate = async (): Promise<GatePorts> => ({
    approvals: onFirstCall(async () => (await import("./aws-approval-store")).dynamoApprovals(env.tableName, await dynamo())),
    deadlines: onFirstCall(async () => (await import("./aws-approval-deadlines")).schedulerDeadlines(env.deadlines, clients.scheduler)),
    report: async (...verdict) => (await reporter())(...verdict),
    notify: (notice) => notices.send(notice),
  });
  return {
    now: () => new Date(),
    accept: {
      signingSecret: async () => (await import("../slack/config")).readSigningSecret(await secret()),
      groups,
      tickets,
      present: { incidents },
      enqueue: async (click) => (await import("./aws-click-queue")).selfInvokedClicks(env.functionName, clients.lambda)(click),
      tellPresser: async (url, text) => (await import("./slack-respond")).tellPresser(url, text, clients.fetch),
    },
    async act() {
      const [{ dynamoNotifyStore }, { dynamoChatOpsAudit }, { webApiSlack }, { replaceOriginal }] = await Promise.all([
        import("../aws/notify-store"),
        import("../aws/ticket-store"),
        import("../slack/web-api"),
        import("./slack-respond"),
      ]);
      const invoked = async () => import("./aws-function-invoke");
      return {
        ...(await gate()),
        store: dynamoNotifyStore(env.tableName, await dynamo()),
        audit: dynamoChatOpsAudit(env.tableName, env.stage, await dynamo()),
        slack: webApiSlack(await botToken(), { apiUrl: env.slackApiUrl, retries: 3, minRetryDelayMs: 1000, fetch: clients.fetch }),
        rollback: onFirstCall(async () => (await invoked()).invokedRollback(env.rollbackFunction, clients.lambda)),
        schedule: env.scheduleFunction
          ? onFirstCall(async () => (await invoked()).invokedSchedule(env.scheduleFunction as string, env.timeZone, clients.lambda))
          : null,
        releases: onFirstCall(async () => (await import("./aws-release-continue")).codeDeployReleases(clients.codeDeploy)),
        shown: { replace: (url, blocks, text) => replaceOriginal(url, blocks, text, clients.fetch) },
        timeZone: env.timeZone,
      };
    },
    gate,
  };
}
