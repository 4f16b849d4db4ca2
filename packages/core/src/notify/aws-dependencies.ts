import type { Clients } from "../aws/clients";
import { stateTableOnFirstUse } from "../aws/on-first-use";
import { onFirstCall } from "../lazy";
import { readSlackConfig } from "../slack/config";
import type { Warn } from "./enrich";
import type { NotifyEnvironment } from "./environment";
import type { NotifyDependencies, SlackPort } from "./ports";

/**
 * The real adapters, each loaded at its first call (an ignored event loads
 * none, a message without a graph never loads CloudWatch's client); the
 * Slack secret is re-read every five minutes (cached).
 */
export function awsDependencies(env: NotifyEnvironment, warn: Warn, clients: Clients = {}): NotifyDependencies {
  const { client: stateTable, once } = stateTableOnFirstUse(env.tableName, "notify", clients);
  const fixed = {
    email: onFirstCall(async () => (await import("./aws-sns")).snsEmail(env.topicArn, clients.sns)),
    graphs: onFirstCall(async () => (await import("./aws-metric-graph")).cloudWatchGraphs(clients.cloudWatch)),
    store: onFirstCall(async () => (await import("../aws/notify-store")).dynamoNotifyStore(env.tableName, await stateTable())),
    once,
    buttons:
      env.buttonHours === null
        ? null
        : onFirstCall(async () => {
            const [{ buttonIssuer }, { dynamoTicketStore }] = await Promise.all([
              import("../chatops/tickets"),
              import("../aws/ticket-store"),
            ]);
            return buttonIssuer(env.context.stage, env.buttonHours as number, dynamoTicketStore(env.tableName, await stateTable()));
          }),
  };
  return {
    deploymentReports: onFirstCall(async () => (await import("./aws-deployment-report")).codeDeployReports(clients.codeDeploy)),
    serviceDeployments: onFirstCall(async () => {
      const deployments = (await import("../aws/service-deployments")).ecsServiceDeployments(clients.ecs);
      return { latestAt: (at: Date) => deployments.latestAt(env.context.clusterName, env.context.serviceName, at) };
    }),
    alarms: onFirstCall(async () => (await import("../aws/alarms")).cloudWatchAlarmState(clients.cloudWatch)),
    serviceCounts: onFirstCall(async () =>
      (await import("./aws-service-counts")).ecsServiceCounts(env.context.clusterName, env.context.serviceName, clients.ecs),
    ),
    registerContext: (context) => once.registerContext(context),
    async ports() {
      return { ...fixed, slack: await slackFor(env, clients, warn) };
    },
  };
}

/** The Slack port for the secret's current value; rebuilt only when the credential changes (a rotated token). */
let slackPort: { credential: string; port: SlackPort } | undefined;

async function slackFor(env: NotifyEnvironment, clients: Clients, warn: Warn): Promise<SlackPort | null> {
  const { readJsonSecret } = await import("../aws/secrets");
  const config = readSlackConfig(await readJsonSecret(env.slackSecretId, clients.secretsManager), env.settings.slack.mode);
  if (config.kind === "unconfigured") {
    warn("Slack is not configured for this stage; e-mail only", { reason: config.reason });
    return null;
  }
  const credential = config.kind === "web-api" ? config.botToken : config.webhookUrl;
  // Given its own fetch (the console's), the port is built for that caller and not kept.
  if (clients.fetch || slackPort?.credential !== credential) {
    const retry = {
      retries: env.slack.retries,
      minRetryDelayMs: env.slack.minRetryDelayMs,
      ...(clients.fetch ? { fetch: clients.fetch } : {}),
    };
    // Only the kind of Slack the stage uses is loaded: the Web API client is the larger of the two.
    const port =
      config.kind === "web-api"
        ? (await import("../slack/web-api")).webApiSlack(config.botToken, { apiUrl: env.slack.apiUrl, ...retry })
        : (await import("./slack-webhook")).webhookSlack(config.webhookUrl, retry);
    if (clients.fetch) return port;
    slackPort = { credential, port };
  }
  return slackPort.port;
}
