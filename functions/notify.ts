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
import { deliver, deliveryFailure } from "@hands-off-ops/core/notify/deliver";
import type { Warn } from "@hands-off-ops/core/notify/enrich";
import { type NotifyEnvironment, readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { messageToSend } from "@hands-off-ops/core/notify/message-to-send";
import type { NotifyDependencies } from "@hands-off-ops/core/notify/ports";
import { isScheduledEvent, sweepReminders } from "@hands-off-ops/core/notify/remind";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "notify" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "notify" });
const warn: Warn = (message, details) => logger.warn(message, details);

export function createNotifyHandler(env: NotifyEnvironment, dependencies: NotifyDependencies) {
  return async (event: unknown, context: Context) => {
    dependencies.registerContext(context);
    if (isScheduledEvent(event)) {
      const outcome = await sweepReminders(event, env, dependencies);
      logger.info("Reminder sweep", { outcome });
      return outcome;
    }
    const toSend = await messageToSend(event, env, dependencies, warn);
    if ("ignored" in toSend) {
      logger.info("Event needs no message", { eventId: toSend.eventId, reason: toSend.ignored });
      metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
      return { ignored: toSend.ignored };
    }
    const { message, ports } = toSend;
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
      logger.error("Delivery failed; the event will be retried", deliveryFailure(error, message.source.eventId));
      metrics.addMetric("DeliveryFailures", MetricUnit.Count, 1);
      throw error;
    }
  };
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
