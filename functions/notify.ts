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
import { awsDependencies } from "@hands-off-ops/core/notify/aws-dependencies";
import { DeliveryError, deliver } from "@hands-off-ops/core/notify/deliver";
import { enrich, isSteadyState, type Warn } from "@hands-off-ops/core/notify/enrich";
import { type NotifyEnvironment, readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { incidentScope } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import type { NotifyDependencies } from "@hands-off-ops/core/notify/ports";
import { isScheduledEvent, remindIncident, sweepTime } from "@hands-off-ops/core/notify/remind";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "notify" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "notify" });
const warn: Warn = (message, details) => logger.warn(message, details);

export function createNotifyHandler(env: NotifyEnvironment, dependencies: NotifyDependencies) {
  return async (event: unknown, context: Context) => {
    dependencies.registerContext(context);
    if (isScheduledEvent(event)) {
      const ports = await dependencies.ports();
      const { stage, service } = env.context;
      const reminder = { store: ports.store, slack: ports.slack, alarms: dependencies.alarms, once: ports.once };
      const remind = (worker?: string) =>
        remindIncident(reminder, incidentScope({ stage, service, worker }), sweepTime(event), env.settings.remindAfterHours);
      const outcome = await remind();
      // Each worker's newest incident too: its own, apart from the public service's (notify/message.ts incidentScope).
      const workers = Object.fromEntries(await Promise.all(env.context.workers.map(async (w) => [w.name, await remind(w.name)] as const)));
      logger.info("Reminder sweep", { outcome, ...(env.context.workers.length ? { workers } : {}) });
      return env.context.workers.length ? { ...outcome, workers } : outcome;
    }
    const normalized = normalize(event, env.context);
    if (normalized.kind === "ignored") {
      logger.info("Event needs no message", { eventId: eventIdOf(event), reason: normalized.reason });
      metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
      return { ignored: normalized.reason };
    }
    const ports = await dependencies.ports();
    const message = await enrich(normalized.message, event, env, dependencies, ports.store, warn);
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

function eventIdOf(event: unknown): string {
  const id = typeof event === "object" && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : "(no id)";
}

let handlerInstance: ReturnType<typeof createNotifyHandler> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!handlerInstance) {
    const env = readNotifyEnvironment(process.env);
    handlerInstance = createNotifyHandler(env, awsDependencies(env, warn));
  }
  return handlerInstance(event, context);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
