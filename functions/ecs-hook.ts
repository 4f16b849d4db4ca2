import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { NoticePort } from "@hands-off-ops/core/aws/notices";
import { awsPorts } from "@hands-off-ops/core/canary/aws-ecs-hook-ports";
import { type EcsHookResponse, runEcsHook } from "@hands-off-ops/core/canary/ecs-hook";
import { EcsHookEvent } from "@hands-off-ops/core/canary/ecs-stages";
import { type EcsHookEnvironment, readEcsHookEnvironment } from "@hands-off-ops/core/canary/environment";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { EcsHookPorts } from "@hands-off-ops/core/canary/ports";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "ecs-hook" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "ecs-hook" });
const HOOK_METRICS = { SUCCEEDED: "HooksSucceeded", FAILED: "HooksFailed", IN_PROGRESS: "HooksInProgress" } as const;

export function createEcsHookHandler(env: EcsHookEnvironment, ports: EcsHookPorts, notices: NoticePort) {
  return async (event: unknown, context: Context): Promise<EcsHookResponse> => {
    const parsed = EcsHookEvent.safeParse(event);
    if (!parsed.success) {
      // ECS rolls back on FAILED: a release this hook cannot read is not one it can vouch for.
      logger.error("Not an ECS lifecycle hook event", { reason: parsed.error.issues[0]?.message, event });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { hookStatus: "FAILED" };
    }
    const result = await runEcsHook(parsed.data, env.settings, env.targets, ports, context.getRemainingTimeInMillis());
    const { invocation, verdict, response } = result;
    logger.info("Answered ECS", { ...invocation, hookStatus: response.hookStatus, skipped: result.skipped, verdict });
    metrics.addMetric(HOOK_METRICS[response.hookStatus], MetricUnit.Count, 1);
    if (verdict) {
      try {
        await notices.send(verdictNotice(env.stage, invocation, verdict, env.settings.comparison.alpha, env.bakeMinutes));
      } catch (error) {
        // The answer is what matters to the release; a lost message must not turn it into a failure.
        logger.error("Could not post the verdict to the notifier", { ...invocation, error: error as Error });
      }
    }
    return response;
  };
}

let handlerInstance: ReturnType<typeof createEcsHookHandler> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!handlerInstance) {
    const { ports, notices } = awsPorts();
    handlerInstance = createEcsHookHandler(readEcsHookEnvironment(process.env), ports, notices);
  }
  return handlerInstance(event, context);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
