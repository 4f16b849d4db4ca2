/**
 * Slack's interactivity endpoint (an HTTP API: Slack cannot sign SigV4, so
 * the function verifies Slack's own signature before it reads anything). A
 * button press is checked (its subject still live), its ticket used once,
 * and the click handed to this same function invoked asynchronously; Slack
 * gets its 200 within its three seconds (an error status, the ticket given
 * back, when the hand-off fails). The asynchronous invocation carries the click out and
 * updates the message. The same function keeps the releases' approval
 * gates: it opens one when a hook asks (EventBridge) and settles it at its
 * deadline (EventBridge Scheduler) if nobody pressed Approve or Reject.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { acceptClick } from "@hands-off-ops/core/chatops/accept";
import { acceptReport } from "@hands-off-ops/core/chatops/accept-report";
import { awsDependencies } from "@hands-off-ops/core/chatops/aws-dependencies";
import { type ChatOpsEnvironment, readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import { type Invocation, readInvocation } from "@hands-off-ops/core/chatops/invocation";
import type { ChatOpsDependencies } from "@hands-off-ops/core/chatops/ports";
import middy from "@middy/core";
import type { APIGatewayProxyResultV2, Context } from "aws-lambda";

const logger = new Logger({ serviceName: "slack-actions" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "slack-actions" });

export function createChatOpsHandler(env: ChatOpsEnvironment, dependencies: ChatOpsDependencies) {
  return async (event: Invocation): Promise<APIGatewayProxyResultV2 | { outcome: string }> => {
    const invocation = readInvocation(event);
    // The worker's and the gate's code load only for their own invocations: Slack's request, due within three
    // seconds, never waits for them.
    if (invocation.kind === "click") {
      const { carryOut } = await import("@hands-off-ops/core/chatops/carry-out");
      const outcome = await carryOut(invocation.click, await dependencies.act());
      logger.info("Click carried out", { action: invocation.click.ticket.action, userId: invocation.click.userId, outcome });
      return { outcome };
    }
    if (invocation.kind === "approval-request") {
      const { onApprovalRequest } = await import("@hands-off-ops/core/chatops/gate-invocations");
      const { outcome, ...about } = await onApprovalRequest(invocation.detail, env, await dependencies.gate(), dependencies.now());
      if (outcome === "rejected") logger.error("Not an approval request of this stage", about);
      else {
        logger.info("Approval gate", { ...about, outcome });
        metrics.addMetric("ApprovalsAsked", MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
      return { outcome };
    }
    if (invocation.kind === "approval-deadline") {
      const { onApprovalDeadline } = await import("@hands-off-ops/core/chatops/gate-invocations");
      const { outcome } = await onApprovalDeadline(invocation.deploymentId, env, await dependencies.gate(), dependencies.now());
      logger.info("Approval deadline", { deploymentId: invocation.deploymentId, outcome });
      return { outcome };
    }
    const now = dependencies.now();
    const result = await acceptClick(invocation.request, env.settings, env.stage, dependencies.accept, now, env.timeZone);
    const report = acceptReport(result);
    if (report) {
      logger[report.level](report.message, report.details);
      metrics.addMetric(report.metric, MetricUnit.Count, 1);
    }
    metrics.publishStoredMetrics();
    // Slack shows nothing of a 200's body for a button press; an unauthenticated caller learns only the status.
    return { statusCode: result.status, headers: { "content-type": "text/plain" }, body: "" };
  };
}

let handlerInstance: ReturnType<typeof createChatOpsHandler> | undefined;

// The metrics are published where they are counted: Slack's request must not wait for anything after its answer.
export const handler = middy(async (event: Invocation, _context: Context) => {
  if (!handlerInstance) {
    const env = readChatOpsEnvironment(process.env);
    handlerInstance = createChatOpsHandler(env, awsDependencies(env));
  }
  return handlerInstance(event);
}).use(injectLambdaContext(logger));
