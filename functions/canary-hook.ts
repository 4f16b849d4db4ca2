import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { NoticePort } from "@hands-off-ops/core/aws/notices";
import { awsPorts } from "@hands-off-ops/core/canary/aws-hook-ports";
import { CodeDeployHookEvent, type HookEnvironment, readHookEnvironment } from "@hands-off-ops/core/canary/environment";
import type { ApprovalAsker } from "@hands-off-ops/core/canary/hook";
import { type HookGate, runHook } from "@hands-off-ops/core/canary/hook";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { HookPorts } from "@hands-off-ops/core/canary/ports";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

const logger = new Logger({ serviceName: "canary-hook" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "canary-hook" });

export function createHookHandler(env: HookEnvironment, ports: HookPorts, notices: NoticePort, approvals: ApprovalAsker) {
  const gate: HookGate | null = env.approvalGate
    ? {
        stage: env.stage,
        deadlineMinutes: env.settings.approval.deadlineMinutes,
        onDeadline: env.settings.approval.onDeadline,
        ask: (request) => approvals.ask(request),
      }
    : null;
  return async (event: unknown, context: Context) => {
    const parsed = CodeDeployHookEvent.safeParse(event);
    if (!parsed.success) {
      // Without the ids there is nobody to report to: log it loudly, count it, do not retry.
      logger.error("Not a CodeDeploy lifecycle hook event", { reason: parsed.error.issues[0]?.message, event });
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      return { rejected: true };
    }
    const invocation = { hook: env.hook, deploymentId: parsed.data.DeploymentId, executionId: parsed.data.LifecycleEventHookExecutionId };
    const verdict = await runHook(invocation, env.settings, env.targets, ports, context.getRemainingTimeInMillis(), gate);
    if (verdict.waiting) {
      // The Slack actions function opens the gate and posts the evidence with Approve / Reject.
      logger.info("Checks passed; approval asked for", { ...invocation, verdict });
      metrics.addMetric("HooksWaitingForApproval", MetricUnit.Count, 1);
      return verdict;
    }
    logger.info("Verdict reported to CodeDeploy", { ...invocation, verdict });
    metrics.addMetric(verdict.status === "Succeeded" ? "HooksSucceeded" : "HooksFailed", MetricUnit.Count, 1);
    try {
      await notices.send(verdictNotice(env.stage, invocation, verdict, env.settings.comparison.alpha, env.blueWaitMinutes));
    } catch (error) {
      // The verdict is what matters to the release; a lost message must not turn it into a retry.
      logger.error("Could not post the verdict to the notifier", { ...invocation, error: error as Error });
    }
    return verdict;
  };
}

let handlerInstance: ReturnType<typeof createHookHandler> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  if (!handlerInstance) {
    const { ports, notices, approvals } = awsPorts();
    handlerInstance = createHookHandler(readHookEnvironment(process.env), ports, notices, approvals);
  }
  return handlerInstance(event, context);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
