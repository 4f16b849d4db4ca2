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
import { type AcceptedClick, acceptClick } from "@hands-off-ops/core/chatops/accept";
import { APPROVAL_DETAIL_TYPE } from "@hands-off-ops/core/chatops/approval";
import { awsDependencies } from "@hands-off-ops/core/chatops/aws-dependencies";
import { type ChatOpsEnvironment, readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import type { ChatOpsDependencies } from "@hands-off-ops/core/chatops/ports";
import middy from "@middy/core";
import type { APIGatewayProxyResultV2, Context, LambdaFunctionURLEvent } from "aws-lambda";

const logger = new Logger({ serviceName: "slack-actions" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "slack-actions" });

/** The HTTP request from Slack; a click handed on by the endpoint; an approval gate's deadline; a hook's approval request. */
type Invocation =
  | LambdaFunctionURLEvent
  | { kind: "click"; click: AcceptedClick }
  | { kind: "approval-deadline"; deploymentId: string }
  | { "detail-type": typeof APPROVAL_DETAIL_TYPE; detail: unknown };

export function createChatOpsHandler(env: ChatOpsEnvironment, dependencies: ChatOpsDependencies) {
  return async (event: Invocation): Promise<APIGatewayProxyResultV2 | { outcome: string }> => {
    // The worker's and the gate's code load only for their own invocations: Slack's request, due within three
    // seconds, never waits for them.
    if ("kind" in event && event.kind === "click") {
      const { carryOut } = await import("@hands-off-ops/core/chatops/carry-out");
      const outcome = await carryOut(event.click, await dependencies.act());
      logger.info("Click carried out", { action: event.click.ticket.action, userId: event.click.userId, outcome });
      return { outcome };
    }
    if ("detail-type" in event && event["detail-type"] === APPROVAL_DETAIL_TYPE) {
      const { onApprovalRequest } = await import("@hands-off-ops/core/chatops/gate-invocations");
      const { outcome, ...about } = await onApprovalRequest(event.detail, env, await dependencies.gate(), dependencies.now());
      if (outcome === "rejected") logger.error("Not an approval request of this stage", about);
      else {
        logger.info("Approval gate", { ...about, outcome });
        metrics.addMetric("ApprovalsAsked", MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
      return { outcome };
    }
    if ("kind" in event && event.kind === "approval-deadline") {
      const { onApprovalDeadline } = await import("@hands-off-ops/core/chatops/gate-invocations");
      const { outcome } = await onApprovalDeadline(event.deploymentId, env, await dependencies.gate(), dependencies.now());
      logger.info("Approval deadline", { deploymentId: event.deploymentId, outcome });
      return { outcome };
    }
    const http = event as LambdaFunctionURLEvent;
    const body = http.isBase64Encoded ? Buffer.from(http.body ?? "", "base64").toString("utf8") : (http.body ?? "");
    const result = await acceptClick(
      { headers: http.headers ?? {}, body },
      env.settings,
      env.stage,
      dependencies.accept,
      dependencies.now(),
      env.timeZone,
    );
    if (result.outcome === "refused") {
      logger.warn("Click refused", { status: result.status, reason: result.reason, userId: result.userId, action: result.action });
      metrics.addMetric("ClicksRefused", MetricUnit.Count, 1);
    } else if (result.outcome === "failed") {
      logger.error("Click not handed on", { status: result.status, reason: result.reason, userId: result.userId, action: result.action });
      metrics.addMetric("ClicksFailed", MetricUnit.Count, 1);
    } else if (result.outcome === "accepted") {
      logger.info("Click accepted", { userId: result.userId, action: result.action });
      metrics.addMetric("ClicksAccepted", MetricUnit.Count, 1);
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
