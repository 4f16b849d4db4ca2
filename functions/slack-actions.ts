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
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import { noticesOnFirstUse } from "@hands-off-ops/core/aws/on-first-use";
import { type AcceptedClick, type AcceptPorts, acceptClick } from "@hands-off-ops/core/chatops/accept";
import { APPROVAL_DETAIL_TYPE } from "@hands-off-ops/core/chatops/approval";
import type { CarryOutPorts } from "@hands-off-ops/core/chatops/carry-out";
import { type ChatOpsEnvironment, readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import type { GatePorts } from "@hands-off-ops/core/chatops/gate";
import { loadOnce, onFirstCall } from "@hands-off-ops/core/lazy";
import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from "aws-lambda";

const logger = new Logger({ serviceName: "slack-actions" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "slack-actions" });

export interface ChatOpsDependencies {
  accept: AcceptPorts;
  act(): Promise<CarryOutPorts>;
  gate(): Promise<GatePorts>;
  now(): Date;
}

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
      const { ApprovalRequest, openGate } = await import("@hands-off-ops/core/chatops/gate");
      const request = ApprovalRequest.safeParse(event.detail);
      if (!request.success || request.data.stage !== env.stage) {
        logger.error("Not an approval request of this stage", { reason: request.error?.issues[0]?.message ?? request.data?.stage });
        return { outcome: "rejected" };
      }
      const outcome = await openGate(request.data, await dependencies.gate(), dependencies.now(), env.timeZone);
      logger.info("Approval gate", { deploymentId: request.data.deploymentId, hook: request.data.hook, outcome });
      metrics.addMetric("ApprovalsAsked", MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return { outcome };
    }
    if ("kind" in event && event.kind === "approval-deadline") {
      const { settleAndTell } = await import("@hands-off-ops/core/chatops/gate");
      const deadline = { kind: "deadline" as const, requestId: "deadline" };
      const settled = await settleAndTell(
        env.stage,
        event.deploymentId,
        deadline,
        await dependencies.gate(),
        dependencies.now(),
        env.timeZone,
      );
      const outcome = settled.kind === "reported" ? `${settled.decided.status} reported` : `nothing to do: ${settled.reason}`;
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

/** The real adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsDependencies(env: ChatOpsEnvironment, clients: Clients = {}): ChatOpsDependencies {
  // Read on every click: Powertools caches it for five minutes, so a rotated secret is picked up without a redeploy.
  const secret = async () => (await import("@hands-off-ops/core/aws/secrets")).readJsonSecret(env.slackSecretId, clients.secretsManager);
  const botToken = async () => {
    const { readSlackConfig } = await import("@hands-off-ops/core/slack/config");
    const config = readSlackConfig(await secret(), "web-api");
    if (config.kind !== "web-api")
      throw new Error(`Slack is not connected: ${config.kind === "unconfigured" ? config.reason : config.kind}`);
    return config.botToken;
  };
  const dynamo = loadOnce(async () => clients.dynamoDB ?? (await import("@hands-off-ops/core/aws/clients")).stateTableClient());
  const tickets = onFirstCall(async () =>
    (await import("@hands-off-ops/core/aws/ticket-store")).dynamoTicketStore(env.tableName, await dynamo()),
  );
  const incidents = onFirstCall(async () =>
    (await import("@hands-off-ops/core/notify/aws-store")).dynamoNotifyStore(env.tableName, await dynamo()),
  );
  const groups = onFirstCall(async () =>
    (await import("@hands-off-ops/core/chatops/slack-groups")).slackGroups(await botToken(), {
      apiUrl: env.slackApiUrl,
      fetch: clients.fetch,
    }),
  );
  const reporter = loadOnce(async () =>
    (await import("@hands-off-ops/core/canary/aws-hook-status")).codeDeployHookReporter(clients.codeDeploy),
  );
  const notices = noticesOnFirstUse(clients);
  const gate = async (): Promise<GatePorts> => ({
    approvals: onFirstCall(async () =>
      (await import("@hands-off-ops/core/chatops/aws-approval-store")).dynamoApprovals(env.tableName, await dynamo()),
    ),
    deadlines: onFirstCall(async () =>
      (await import("@hands-off-ops/core/chatops/aws-approval-deadlines")).schedulerDeadlines(env.deadlines, clients.scheduler),
    ),
    report: async (...verdict) => (await reporter())(...verdict),
    notify: (notice) => notices.send(notice),
  });
  return {
    now: () => new Date(),
    accept: {
      signingSecret: async () => (await import("@hands-off-ops/core/slack/config")).readSigningSecret(await secret()),
      groups,
      tickets,
      present: { incidents },
      enqueue: async (click) =>
        (await import("@hands-off-ops/core/chatops/aws-click-queue")).selfInvokedClicks(env.functionName, clients.lambda)(click),
      tellPresser: async (url, text) => (await import("@hands-off-ops/core/chatops/slack-respond")).tellPresser(url, text, clients.fetch),
    },
    async act() {
      const [{ dynamoNotifyStore }, { dynamoChatOpsAudit }, { webApiSlack }, { replaceOriginal }] = await Promise.all([
        import("@hands-off-ops/core/notify/aws-store"),
        import("@hands-off-ops/core/aws/ticket-store"),
        import("@hands-off-ops/core/slack/web-api"),
        import("@hands-off-ops/core/chatops/slack-respond"),
      ]);
      const invoked = async () => import("@hands-off-ops/core/chatops/aws-function-invoke");
      return {
        ...(await gate()),
        store: dynamoNotifyStore(env.tableName, await dynamo()),
        audit: dynamoChatOpsAudit(env.tableName, env.stage, await dynamo()),
        slack: webApiSlack(await botToken(), { apiUrl: env.slackApiUrl, retries: 3, minRetryDelayMs: 1000, fetch: clients.fetch }),
        rollback: onFirstCall(async () => (await invoked()).invokedRollback(env.rollbackFunction, clients.lambda)),
        schedule: env.scheduleFunction
          ? onFirstCall(async () => (await invoked()).invokedSchedule(env.scheduleFunction as string, env.timeZone, clients.lambda))
          : null,
        releases: onFirstCall(async () =>
          (await import("@hands-off-ops/core/chatops/aws-release-continue")).codeDeployReleases(clients.codeDeploy),
        ),
        shown: { replace: (url, blocks, text) => replaceOriginal(url, blocks, text, clients.fetch) },
        timeZone: env.timeZone,
      };
    },
    gate,
  };
}

let handlerInstance: ReturnType<typeof createChatOpsHandler> | undefined;

export async function handler(event: Invocation) {
  if (!handlerInstance) {
    const env = readChatOpsEnvironment(process.env);
    handlerInstance = createChatOpsHandler(env, awsDependencies(env));
  }
  return handlerInstance(event);
}
