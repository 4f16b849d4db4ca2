/**
 * Sleep outside working hours. EventBridge Scheduler ticks (sleep, wake, the
 * weekly summary, one-time checks), RDS's 7-day auto-start event and
 * keep-awake requests (a deploy, a person) all converge the stage on what
 * its calendar says now. Never in production:
 * the stack does not deploy it there, and the function refuses to act if
 * it were.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { OncePort } from "@hands-off-ops/core/notify/ports";
import { awsPorts } from "@hands-off-ops/core/schedule/aws-ports";
import { readScheduleEnvironment, type ScheduleEnvironment } from "@hands-off-ops/core/schedule/environment";
import type { SchedulePorts } from "@hands-off-ops/core/schedule/ports";
import { converge, weeklySummary } from "@hands-off-ops/core/schedule/run";
import { readScheduleEvent } from "@hands-off-ops/core/schedule/trigger";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "schedule" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "schedule" });

export function createScheduleHandler(env: ScheduleEnvironment, ports: SchedulePorts, once: OncePort, now: () => Date = () => new Date()) {
  return async (event: unknown) => {
    if (env.kind === "production" || !env.enabled) {
      const reason = env.kind === "production" ? "a production stage is never scheduled down" : "the schedule is disabled in the settings";
      logger.error("Refused to act", { stage: env.config.stage, reason });
      metrics.addMetric("Refused", MetricUnit.Count, 1);
      return { refused: reason };
    }
    const read = readScheduleEvent(event, env.databaseInstance, now());
    if (read.kind === "rejected") {
      logger.error("Not an event the schedule acts on", { eventId: read.eventId, reason: read.reason });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { rejected: read.reason };
    }
    if (read.kind === "ignored") {
      logger.info("Ignored", { eventId: read.eventId, reason: read.reason });
      return { ignored: read.reason };
    }
    // The decision is for the scheduled instant at the earliest: a tick delivered a moment early still means its time.
    const at = new Date(Math.max(now().getTime(), read.notBefore?.getTime() ?? 0));
    const act = (): Promise<object> =>
      read.trigger === "summary" ? weeklySummary(env.config, ports, at) : converge(read.trigger, env.config, ports, at);
    // The same scheduler execution or RDS event delivered twice acts once; a manual check has no id and simply converges again.
    const result = read.key ? await once.run(`schedule:${read.key}`, act) : await act();
    logger.info("Tick handled", { key: read.key, trigger: read.trigger, result });
    metrics.addMetric(read.trigger === "summary" ? "Summaries" : `Ticks_${read.trigger.kind}`, MetricUnit.Count, 1);
    return result;
  };
}

let wired: { handle: ReturnType<typeof createScheduleHandler>; registerContext(context: Context): void } | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!wired) {
    const env = readScheduleEnvironment(process.env);
    const functionArn = context.invokedFunctionArn.split(":").slice(0, 7).join(":");
    const { once, ports } = awsPorts(env, functionArn);
    wired = { handle: createScheduleHandler(env, ports, once), registerContext: once.registerContext };
  }
  wired.registerContext(context);
  return wired.handle(event);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
