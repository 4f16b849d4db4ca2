import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { awsPorts } from "@hands-off-ops/core/canary/aws-watch-ports";
import { readWatchEnvironment, type WatchEnvironment, WatchEvent } from "@hands-off-ops/core/canary/environment";
import type { WatchedServiceDeployments, WatchPorts } from "@hands-off-ops/core/canary/ports";
import { watchForAMinute } from "@hands-off-ops/core/canary/watch-run";
import { ecsDeploymentPhase } from "@hands-off-ops/core/notify/sources/ecs-deployment";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "canary-watch" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "canary-watch" });
/** Time kept back from the Lambda deadline after the last poll. */
const RESERVE_MS = 5_000;
/** A schedule outlives the canary window by this much at most, should the end event be lost. */
const SCHEDULE_MARGIN_MINUTES = 60;

export function createWatchHandler(env: WatchEnvironment, ports: WatchPorts & { serviceDeployments?: WatchedServiceDeployments }) {
  const startWatching = async (deploymentId: string, context: Context) => {
    const until = new Date(ports.now().getTime() + (env.canaryMinutes + SCHEDULE_MARGIN_MINUTES) * 60_000);
    const started = await ports.schedules.start(deploymentId, context.invokedFunctionArn, until);
    logger.info("Watching the release", { deploymentId, started, until });
    return started;
  };
  return async (event: unknown, context: Context) => {
    const parsed = WatchEvent.safeParse(event);
    if (!parsed.success) {
      logger.error("Not a CodeDeploy or ECS deployment state change, nor a watch tick", { reason: parsed.error.issues[0]?.message, event });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { rejected: true };
    }
    if ("detail" in parsed.data && parsed.data["detail-type"] === "ECS Deployment State Change") {
      const phase = ecsDeploymentPhase(parsed.data);
      if (!phase || !ports.serviceDeployments) return { ignored: "an ECS deployment event, and this stage's releases are CodeDeploy's" };
      // Its detail names ECS's older deployment id only: the release is the service deployment ECS lists for that time.
      const { releaseId } = await ports.serviceDeployments.latestAt(new Date(parsed.data.time));
      if (phase.state === "START") return { watching: await startWatching(releaseId, context) };
      const stopped = await ports.schedules.stop(releaseId);
      logger.info("Release over or rolling back: watch ended", { releaseId, stopped });
      return { watching: stopped };
    }
    if ("detail" in parsed.data) {
      const { deploymentId, state } = parsed.data.detail as { deploymentId: string; state: string };
      if (state === "START") return { watching: await startWatching(deploymentId, context) };
      if (["SUCCESS", "FAILURE", "STOP"].includes(state)) {
        const stopped = await ports.schedules.stop(deploymentId);
        logger.info("Release over: watch ended", { deploymentId, state, stopped });
        return { watching: stopped };
      }
      return { ignored: state };
    }
    const tick = await watchForAMinute(
      (parsed.data as { deploymentId: string }).deploymentId,
      env.context,
      ports,
      context.getRemainingTimeInMillis() - RESERVE_MS,
    );
    logger.info("Watched", { deploymentId: parsed.data.deploymentId, tick });
    if (tick.kind === "stopped" || tick.kind === "would-stop") metrics.addMetric("CanaryRegressions", MetricUnit.Count, 1);
    return tick;
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
