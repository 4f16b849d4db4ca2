/**
 * On-call notifications. Every operational event (alarm state changes,
 * CodeDeploy or ECS releases, stopped ECS tasks, ECS service errors, the
 * automation's own actions) arrives here from EventBridge, becomes one
 * message and goes where the stage's settings route it: Slack and/or the
 * on-call e-mail topic. A delivery that fails after its retries throws, so
 * Lambda retries the event and finally puts it in the dead-letter queue.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import { stateTableOnFirstUse } from "@hands-off-ops/core/aws/on-first-use";
import { onFirstCall } from "@hands-off-ops/core/lazy";
import { serviceIncidentLink } from "@hands-off-ops/core/notify/correlate";
import { DeliveryError, deliver } from "@hands-off-ops/core/notify/deliver";
import { alarmLinkOf, joinIncident } from "@hands-off-ops/core/notify/deployment-incident";
import { wantsDeploymentReport, withDeploymentReport } from "@hands-off-ops/core/notify/deployment-report";
import { type NotifyEnvironment, readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import type {
  AlarmsNowPort,
  DeliveryPorts,
  DeploymentReportPort,
  NotifyStore,
  ServiceCountsPort,
  SlackPort,
} from "@hands-off-ops/core/notify/ports";
import { isScheduledEvent, remindIncident, sweepTime } from "@hands-off-ops/core/notify/remind";
import { wantsServiceImpact, withServiceImpact } from "@hands-off-ops/core/notify/service-impact";
import {
  ECS_DEPLOYMENT_DETAIL_TYPE,
  ecsDeploymentPhase,
  type ServiceDeploymentFound,
  withServiceDeployment,
} from "@hands-off-ops/core/notify/sources/ecs-deployment";
import { STEADY_STATE } from "@hands-off-ops/core/notify/sources/ecs-service";
import { readSlackConfig } from "@hands-off-ops/core/slack/config";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "notify" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "notify" });

export interface NotifyDependencies {
  ports(): Promise<DeliveryPorts>;
  /** CodeDeploy's report of a failed or stopped release. */
  deploymentReports: DeploymentReportPort;
  /** What the service runs now, to grade an ECS service event by its impact. */
  serviceCounts: ServiceCountsPort;
  /** ECS's record of the service deployment an ECS Deployment State Change event is about (release.controller "ecs"). */
  serviceDeployments: ServiceDeploymentsPort;
  /** The stage's alarms as CloudWatch has them now: a reminder is due only while one is still in ALARM. */
  alarms: AlarmsNowPort;
  registerContext(context: Context): void;
}

export interface ServiceDeploymentsPort {
  latestAt(at: Date): Promise<ServiceDeploymentFound>;
}

export function createNotifyHandler(env: NotifyEnvironment, dependencies: NotifyDependencies) {
  return async (event: unknown, context: Context) => {
    dependencies.registerContext(context);
    if (isScheduledEvent(event)) {
      const ports = await dependencies.ports();
      const service = `${env.context.stage}/${env.context.service}`;
      const reminder = { store: ports.store, slack: ports.slack, alarms: dependencies.alarms, once: ports.once };
      const outcome = await remindIncident(reminder, service, sweepTime(event), env.settings.remindAfterHours);
      logger.info("Reminder sweep", { outcome });
      return outcome;
    }
    const normalized = normalize(event, env.context);
    if (normalized.kind === "ignored") {
      logger.info("Event needs no message", { eventId: eventIdOf(event), reason: normalized.reason });
      metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
      return { ignored: normalized.reason };
    }
    const ports = await dependencies.ports();
    const message = await withFacts(await inReleaseThread(normalized.message, event, env, dependencies), env, dependencies, ports.store);
    if (isSteadyState(message) && !message.incident) {
      logger.info("Event needs no message", { eventId: message.source.eventId, reason: "the service is steady and has no open incident" });
      metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
      return { ignored: "the service is steady and has no open incident" };
    }
    if (message.rejection) {
      logger.error("Unrecognised event, posted as a generic message", { eventId: message.source.eventId, reason: message.rejection });
      metrics.addMetric("EventsUnrecognised", MetricUnit.Count, 1);
    }
    try {
      const report = await deliver(message, ports, env.settings);
      logger.info("Delivered", { report, severity: message.severity, title: message.title });
      metrics.addMetric("MessagesDelivered", MetricUnit.Count, 1);
      if (report.slack === "not-configured") metrics.addMetric("SlackNotConfigured", MetricUnit.Count, 1);
      return report;
    } catch (error) {
      if (error instanceof DeliveryError) logger.error("Delivery failed; the event will be retried", { report: error.report, error });
      else logger.error("Delivery failed; the event will be retried", { eventId: message.source.eventId, error: error as Error });
      metrics.addMetric("DeliveryFailures", MetricUnit.Count, 1);
      throw error;
    }
  };
}

/**
 * The facts only AWS can give now: CodeDeploy's report of a failed release, what an ECS service event does to the
 * service; and the incident a deployment is part of (the release an alarm blamed, the rollback started for it).
 */
async function withFacts(message: OpsMessage, env: NotifyEnvironment, dependencies: NotifyDependencies, store: NotifyStore) {
  if (message.source.kind === "deployment" && message.thread) {
    const deploymentId = message.thread.deploymentId;
    const report = wantsDeploymentReport(message)
      ? await orUnreadable(() => dependencies.deploymentReports.report(deploymentId), "CodeDeploy's report", deploymentId)
      : undefined;
    const reported = report ? withDeploymentReport(message, env.context.region, report) : message;
    const known = report && !("unreadable" in report) ? report : {};
    const linked = await orUnreadable(() => store.deploymentLink(deploymentId), "The incident of a deployment", deploymentId);
    // Unreadable, the message goes out on its own rather than not at all.
    const link =
      (linked && !("unreadable" in linked) ? linked : undefined) ??
      alarmLinkOf(known, env.context.releaseAlarms) ??
      (await endOfRelease(message, store, env));
    return link ? joinIncident(reported, link, known.rollback?.rollbackDeploymentId) : reported;
  }
  if (isSteadyState(message)) {
    // Only an incident open on the service hears of it: its crashes, kills and placement failures are over.
    const link = await endOfEpisode(message, store, env);
    return link
      ? {
          ...message,
          incident: {
            role: "step" as const,
            key: link.key,
            did: "ECS reports the service steady again: healthy, at its desired count of tasks.",
            escalates: false,
            deployments: [],
            ends: true,
          },
        }
      : message;
  }
  if (wantsServiceImpact(message)) {
    const counts = await orUnreadable(() => dependencies.serviceCounts.counts(), "The service's task counts", env.context.serviceName);
    return withServiceImpact(message, env.kind, counts);
  }
  return message;
}

const isSteadyState = (message: OpsMessage) => message.source.kind === "service-action" && message.facts[0]?.value === STEADY_STATE;

/** A release stopped, failed or rolled back while its service has an incident: a step of that incident. */
async function endOfRelease(message: OpsMessage, store: NotifyStore, env: NotifyEnvironment) {
  const state = message.thread?.state;
  if (state !== "STOP" && state !== "FAILURE") return undefined;
  return endOfEpisode(message, store, env);
}

/** The service's incident, open or ended less than the window ago, that a closing signal belongs to. */
async function endOfEpisode(message: OpsMessage, store: NotifyStore, env: NotifyEnvironment) {
  const service = `${message.stage}/${message.service}`;
  const found = await orUnreadable(
    () => serviceIncidentLink(store, service, message.occurredAt, env.settings.collapseWindowMinutes),
    "The service's open incident",
    service,
  );
  return found && !("unreadable" in found) ? found : undefined;
}

/** An ECS deployment event joins its release's thread once ECS names the service deployment it is about. */
async function inReleaseThread(message: OpsMessage, event: unknown, env: NotifyEnvironment, dependencies: NotifyDependencies) {
  const phase = message.source.detailType === ECS_DEPLOYMENT_DETAIL_TYPE ? ecsDeploymentPhase(event) : null;
  if (!phase) return message;
  const found = await orUnreadable(
    () => dependencies.serviceDeployments.latestAt(new Date(message.occurredAt)),
    "ECS's service deployments",
    env.context.serviceName,
  );
  return withServiceDeployment(message, phase, found, env.context.region, env.context);
}

/** A fact that cannot be read costs the message that fact (it says so), not its delivery. */
async function orUnreadable<T>(read: () => Promise<T>, what: string, about: string): Promise<T | { unreadable: string }> {
  try {
    return await read();
  } catch (error) {
    logger.warn(`${what} could not be read`, { about, error: error as Error });
    return { unreadable: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function eventIdOf(event: unknown): string {
  const id = typeof event === "object" && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : "(no id)";
}

/**
 * The real adapters, each loaded at its first call (an ignored event loads
 * none, a message without a graph never loads CloudWatch's client); the
 * Slack secret is re-read every five minutes (cached).
 */
export function awsDependencies(env: NotifyEnvironment, clients: Clients = {}): NotifyDependencies {
  const { client: stateTable, once } = stateTableOnFirstUse(env.tableName, "notify", clients);
  const fixed = {
    email: onFirstCall(async () => (await import("@hands-off-ops/core/notify/aws-sns")).snsEmail(env.topicArn, clients.sns)),
    graphs: onFirstCall(async () => (await import("@hands-off-ops/core/notify/aws-metric-graph")).cloudWatchGraphs(clients.cloudWatch)),
    store: onFirstCall(async () =>
      (await import("@hands-off-ops/core/notify/aws-store")).dynamoNotifyStore(env.tableName, await stateTable()),
    ),
    once,
    buttons:
      env.buttonHours === null
        ? null
        : onFirstCall(async () => {
            const [{ buttonIssuer }, { dynamoTicketStore }] = await Promise.all([
              import("@hands-off-ops/core/chatops/tickets"),
              import("@hands-off-ops/core/aws/ticket-store"),
            ]);
            return buttonIssuer(env.context.stage, env.buttonHours as number, dynamoTicketStore(env.tableName, await stateTable()));
          }),
  };
  return {
    deploymentReports: onFirstCall(async () =>
      (await import("@hands-off-ops/core/notify/aws-deployment-report")).codeDeployReports(clients.codeDeploy),
    ),
    serviceDeployments: onFirstCall(async () => {
      const deployments = (await import("@hands-off-ops/core/aws/service-deployments")).ecsServiceDeployments(clients.ecs);
      return { latestAt: (at: Date) => deployments.latestAt(env.context.clusterName, env.context.serviceName, at) };
    }),
    alarms: onFirstCall(async () => (await import("@hands-off-ops/core/aws/alarms")).cloudWatchAlarmState(clients.cloudWatch)),
    serviceCounts: onFirstCall(async () =>
      (await import("@hands-off-ops/core/notify/aws-service-counts")).ecsServiceCounts(
        env.context.clusterName,
        env.context.serviceName,
        clients.ecs,
      ),
    ),
    registerContext: (context) => once.registerContext(context),
    async ports() {
      return { ...fixed, slack: await slackFor(env, clients) };
    },
  };
}

/** The Slack port for the secret's current value; rebuilt only when the credential changes (a rotated token). */
let slackPort: { credential: string; port: SlackPort } | undefined;

async function slackFor(env: NotifyEnvironment, clients: Clients): Promise<SlackPort | null> {
  const { readJsonSecret } = await import("@hands-off-ops/core/aws/secrets");
  const config = readSlackConfig(await readJsonSecret(env.slackSecretId, clients.secretsManager), env.settings.slack.mode);
  if (config.kind === "unconfigured") {
    logger.warn("Slack is not configured for this stage; e-mail only", { reason: config.reason });
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
        ? (await import("@hands-off-ops/core/slack/web-api")).webApiSlack(config.botToken, { apiUrl: env.slack.apiUrl, ...retry })
        : (await import("@hands-off-ops/core/notify/slack-webhook")).webhookSlack(config.webhookUrl, retry);
    if (clients.fetch) return port;
    slackPort = { credential, port };
  }
  return slackPort.port;
}

let handlerInstance: ReturnType<typeof createNotifyHandler> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!handlerInstance) {
    const env = readNotifyEnvironment(process.env);
    handlerInstance = createNotifyHandler(env, awsDependencies(env));
  }
  return handlerInstance(event, context);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
