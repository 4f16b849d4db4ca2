/**
 * Watches a canary release while it shifts traffic. CodeDeploy's START event
 * creates a one-minute schedule for the deployment, its end (SUCCESS, FAILURE,
 * STOP) deletes it; each tick compares the new and current target groups'
 * load balancer metrics and stops the release with rollback on a regression.
 * Nothing runs when nothing is deploying.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { noticesOnFirstUse } from "@hands-off-ops/core/aws/on-first-use";
import { readWatchEnvironment, type WatchEnvironment, WatchEvent } from "@hands-off-ops/core/canary/environment";
import { type WatchPorts, watchForAMinute } from "@hands-off-ops/core/canary/watch-run";
import { onFirstCall } from "@hands-off-ops/core/lazy";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "canary-watch" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "canary-watch" });
/** Time kept back from the Lambda deadline after the last poll. */
const RESERVE_MS = 5_000;
/** A schedule outlives the canary window by this much at most, should the end event be lost. */
const SCHEDULE_MARGIN_MINUTES = 60;

export function createWatchHandler(env: WatchEnvironment, ports: WatchPorts) {
  return async (event: unknown, context: Context) => {
    const parsed = WatchEvent.safeParse(event);
    if (!parsed.success) {
      logger.error("Not a CodeDeploy state change nor a watch tick", { reason: parsed.error.issues[0]?.message, event });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { rejected: true };
    }
    if ("detail" in parsed.data) {
      const { deploymentId, state } = parsed.data.detail;
      if (state === "START") {
        const until = new Date(ports.now().getTime() + (env.canaryMinutes + SCHEDULE_MARGIN_MINUTES) * 60_000);
        const started = await ports.schedules.start(deploymentId, context.invokedFunctionArn, until);
        logger.info("Watching the release", { deploymentId, started, until });
        return { watching: started };
      }
      if (["SUCCESS", "FAILURE", "STOP"].includes(state)) {
        const stopped = await ports.schedules.stop(deploymentId);
        logger.info("Release over: watch ended", { deploymentId, state, stopped });
        return { watching: stopped };
      }
      return { ignored: state };
    }
    const tick = await watchForAMinute(parsed.data.deploymentId, env.context, ports, context.getRemainingTimeInMillis() - RESERVE_MS);
    logger.info("Watched", { deploymentId: parsed.data.deploymentId, tick });
    if (tick.kind === "stopped" || tick.kind === "would-stop") metrics.addMetric("CanaryRegressions", MetricUnit.Count, 1);
    return tick;
  };
}

function awsPorts(env: WatchEnvironment): WatchPorts {
  // Loaded at first use: a release's start and end events need only the Scheduler, a tick CodeDeploy and CloudWatch.
  const notices = noticesOnFirstUse();
  return {
    deployments: onFirstCall(async () => (await import("@hands-off-ops/core/aws/canary-deployments")).codeDeployCanary()),
    metrics: onFirstCall(async () => (await import("@hands-off-ops/core/aws/target-metrics")).cloudWatchTargetMetrics(env.loadBalancer)),
    schedules: onFirstCall(async () =>
      (await import("@hands-off-ops/core/aws/watch-schedules")).schedulerWatchSchedules(env.scheduleGroup, env.schedulerRoleArn),
    ),
    notify: (notice) => notices.send(notice),
    sleep: (ms) => sleep(ms),
    now: () => new Date(),
  };
}

let handlerInstance: ReturnType<typeof createWatchHandler> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!handlerInstance) {
    const env = readWatchEnvironment(process.env);
    handlerInstance = createWatchHandler(env, awsPorts(env));
  }
  return handlerInstance(event, context);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
