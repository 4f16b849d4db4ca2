import { cloudWatchAlarmState } from "../aws/alarms";
import type { Clients } from "../aws/clients";
import { idempotentOnce } from "../aws/idempotency";
import { dynamoNotifyStore } from "../aws/notify-store";
import { readJsonSecret } from "../aws/secrets";
import { ecsServiceDeployments } from "../aws/service-deployments";
import { stateTable } from "../aws/state-table";
import { dynamoTicketStore } from "../aws/ticket-store";
import { buttonIssuer } from "../chatops/tickets";
import { readSlackConfig } from "../slack/config";
import { webApiSlack } from "../slack/web-api";
import { codeDeployReports } from "./aws-deployment-report";
import { cloudWatchGraphs } from "./aws-metric-graph";
import { ecsServiceCounts } from "./aws-service-counts";
import { snsEmail } from "./aws-sns";
import type { Warn } from "./enrich";
import type { NotifyEnvironment } from "./environment";
import type { NotifyDependencies, SlackPort } from "./ports";
import { webhookSlack } from "./slack-webhook";

/**
 * The real adapters, each loading its SDK client at its first call (an ignored event loads none, a message without a
 * graph never loads CloudWatch's client); the Slack secret is re-read every five minutes (cached).
 */
export function awsDependencies(env: NotifyEnvironment, warn: Warn, clients: Clients = {}): NotifyDependencies {
  const table = stateTable(clients);
  const once = idempotentOnce(env.tableName, "notify", table);
  const { clusterName, serviceName } = env.context;
  const deployments = ecsServiceDeployments(clients.ecs);
  const fixed = {
    email: snsEmail(env.topicArn, clients.sns),
    graphs: cloudWatchGraphs(clients.cloudWatch),
    store: dynamoNotifyStore(env.tableName, table),
    once,
    buttons: env.buttonHours === null ? null : buttonIssuer(env.context.stage, env.buttonHours, dynamoTicketStore(env.tableName, table)),
  };
  return {
    deploymentReports: codeDeployReports(clients.codeDeploy),
    serviceDeployments: { latestAt: (at: Date) => deployments.latestAt(clusterName, serviceName, at) },
    alarms: cloudWatchAlarmState(clients.cloudWatch),
    serviceCounts: ecsServiceCounts(clusterName, serviceName, clients.ecs),
    registerContext: (context) => once.registerContext(context),
    async ports() {
      return { ...fixed, slack: await slackFor(env, clients, warn) };
    },
  };
}

/** The Slack port for the secret's current value; rebuilt only when the credential changes (a rotated token). */
let slackPort: { credential: string; port: SlackPort } | undefined;

async function slackFor(env: NotifyEnvironment, clients: Clients, warn: Warn): Promise<SlackPort | null> {
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
    // Each loads its Slack library at its first post: only the kind the stage uses is loaded (the Web API's is the larger).
    const port =
      config.kind === "web-api"
        ? webApiSlack(config.botToken, { apiUrl: env.slack.apiUrl, ...retry })
        : webhookSlack(config.webhookUrl, retry);
    if (clients.fetch) return port;
    slackPort = { credential, port };
  }
  return slackPort.port;
}
