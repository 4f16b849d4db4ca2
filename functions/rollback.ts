/**
 * Hands-off remediation. A release alarm in ALARM, and still in ALARM when
 * CloudWatch is asked (a late or out-of-order event changes nothing): stop the
 * release in progress, or, inside the bake window of the last release, redeploy
 * the previous revision — within the guardrails, or only say so in dry-run.
 * Every decision, "did nothing, because …" included, is recorded in the
 * audit trail and sent to on-call. One event acts once.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { OncePort } from "@hands-off-ops/core/notify/ports";
import { alarmOfEvent } from "@hands-off-ops/core/rollback/alarm-event";
import { awsPorts } from "@hands-off-ops/core/rollback/aws-ports";
import { DoItRequest, doItAlarm, RollBackRequest } from "@hands-off-ops/core/rollback/do-it";
import { type RollbackEnvironment, readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import type { RollbackPorts } from "@hands-off-ops/core/rollback/ports";
import { handleAlarm, handleRollBackRequest } from "@hands-off-ops/core/rollback/run";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "rollback" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "rollback" });

export function createRollbackHandler(env: RollbackEnvironment, ports: RollbackPorts, once: OncePort, now: () => Date = () => new Date()) {
  return async (event: unknown) => {
    const doIt = DoItRequest.safeParse(event);
    if (doIt.success) {
      // A person carries out what the automation rehearsed: enforce, whatever the stage's mode, same guardrails.
      const alarm = doItAlarm(doIt.data, env.alarmPrefix, now());
      const result = await once.run(`rollback:${alarm.eventId}`, () =>
        handleAlarm(alarm, { ...env.policy, mode: "enforce" }, { stage: env.stage, group: env.target }, ports, now()),
      );
      logger.info("Do it, from Slack", { alarm: alarm.alarmName, requestedBy: doIt.data.requestedBy, ...result });
      metrics.addMetric("DoItFromSlack", MetricUnit.Count, 1);
      return result;
    }
    const rollBack = RollBackRequest.safeParse(event);
    if (rollBack.success) {
      // A person decided, as with "Do it": enforce whatever the stage's mode (dry-run rehearses only what the
      // automation starts on its own), with the same guards.
      const request = rollBack.data;
      const result = await once.run(`rollback:roll-back-${request.ticketId}`, () =>
        handleRollBackRequest(request, { ...env.policy, mode: "enforce" }, { stage: env.stage, group: env.target }, ports, now()),
      );
      logger.info("Roll back, from Slack", { deploymentId: request.deploymentId, requestedBy: request.requestedBy, ...result });
      metrics.addMetric("RollBackFromSlack", MetricUnit.Count, 1);
      return result;
    }
    const read = alarmOfEvent(event, env.alarmPrefix);
    if ("rejected" in read) {
      logger.error("Not a CloudWatch alarm state change", { eventId: read.eventId, reason: read.rejected });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { rejected: read.rejected };
    }
    const { alarm } = read;
    // A duplicate delivery of the same event gets the first result, without acting or notifying again.
    const result = await once.run(`rollback:${alarm.eventId}`, () =>
      handleAlarm(alarm, env.policy, { stage: env.stage, group: env.target }, ports, now()),
    );
    logger.info("Alarm handled", { eventId: alarm.eventId, alarm: alarm.alarmName, ...result });
    metrics.addMetric(`Decision_${result.decision.action}`, MetricUnit.Count, 1);
    return result;
  };
}

let wired: { handle: ReturnType<typeof createRollbackHandler>; registerContext(context: Context): void } | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!wired) {
    const env = readRollbackEnvironment(process.env);
    const { once, ports } = awsPorts(env);
    wired = { handle: createRollbackHandler(env, ports, once), registerContext: once.registerContext };
  }
  wired.registerContext(context);
  return wired.handle(event);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
