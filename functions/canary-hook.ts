/**
 * A CodeDeploy lifecycle hook of the service's blue/green releases (one
 * function per hook; HOOK says which). Runs the checks the stage's settings
 * give this hook against the new tasks (test listener) and the current ones,
 * reports exactly one verdict before the deadline, and posts it with its
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
import { CodeDeployHookEvent, type HookEnvironment, readHookEnvironment } from "@hands-off-ops/core/canary/environment";
import { type HookGate, runHook } from "@hands-off-ops/core/canary/hook";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import type { HookPorts } from "@hands-off-ops/core/canary/ports";
import type { ApprovalRequest } from "@hands-off-ops/core/chatops/gate";
import { loadOnce } from "@hands-off-ops/core/lazy";
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

export interface ApprovalAsker {
  ask(request: ApprovalRequest): Promise<void>;
}

/** The hook's adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: HookPorts; notices: NoticePort; approvals: ApprovalAsker } {
  const approvalRequests = loadOnce(async () =>
    (await import("@hands-off-ops/core/chatops/aws-approval-requests")).eventBridgeApprovalRequests(clients.eventBridge),
  );
  const reporter = loadOnce(async () =>
    (await import("@hands-off-ops/core/canary/aws-hook-status")).codeDeployHookReporter(clients.codeDeploy),
  );
  return {
    ports: {
      http: fetchHttp(),
      report: async (...verdict) => (await reporter())(...verdict),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
    },
    notices: noticesOnFirstUse(clients),
    approvals: { ask: async (request) => (await approvalRequests())(request) },
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
