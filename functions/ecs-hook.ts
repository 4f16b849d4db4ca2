/**
 * The Lambda lifecycle hook of the service's ECS-native releases (release.controller "ecs"). ECS invokes it at
 * the stages that have checks and reads the answer it returns: SUCCEEDED, FAILED (ECS rolls back) or
 * IN_PROGRESS (a comparison still sampling: ECS calls again with hookDetails). The verdict is posted with its
 * evidence into the release's thread.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import type { NoticePort } from "@hands-off-ops/core/aws/notices";
import { noticesOnFirstUse } from "@hands-off-ops/core/aws/on-first-use";
import { type EcsHookResponse, runEcsHook } from "@hands-off-ops/core/canary/ecs-hook";
import { EcsHookEvent } from "@hands-off-ops/core/canary/ecs-stages";
import { type EcsHookEnvironment, readEcsHookEnvironment } from "@hands-off-ops/core/canary/environment";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { EcsHookPorts } from "@hands-off-ops/core/canary/ports";
import { loadOnce } from "@hands-off-ops/core/lazy";
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

/** The hook's adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: EcsHookPorts; notices: NoticePort } {
  const deployments = loadOnce(async () =>
    (await import("@hands-off-ops/core/aws/service-deployments")).ecsServiceDeployments(clients.ecs),
  );
  return {
    ports: {
      http: fetchHttp(),
      isFirstDeployment: async (arn) => (await deployments()).isFirstDeployment(arn),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
      now: () => Date.now(),
    },
    notices: noticesOnFirstUse(clients),
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
