/**
 * Slack's interactivity endpoint (a Lambda function URL: Slack cannot sign
 * SigV4, so the function verifies Slack's own signature before it reads
 * anything). A button press is checked, its ticket used once, and the click
 * handed to this same function invoked asynchronously; Slack gets its 200
 * within its three seconds. The asynchronous invocation carries the click
 * out and updates the message.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type AcceptedClick, type AcceptPorts, acceptClick } from "@hands-off-ops/core/chatops/accept";
import { acknowledge } from "@hands-off-ops/core/chatops/acknowledge";
import { type DoItPorts, doIt } from "@hands-off-ops/core/chatops/do-it";
import { type ChatOpsEnvironment, readChatOpsEnvironment } from "@hands-off-ops/core/chatops/environment";
import { loadOnce, onFirstCall } from "@hands-off-ops/core/lazy";
import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from "aws-lambda";

const logger = new Logger({ serviceName: "slack-actions" });
const metrics = new Metrics({ namespace: "HandsOffOps", serviceName: "slack-actions" });

export interface ChatOpsDependencies {
  accept: AcceptPorts;
  act(): Promise<DoItPorts>;
  now(): Date;
}

type Invocation = LambdaFunctionURLEvent | { kind: "click"; click: AcceptedClick };

export function createChatOpsHandler(env: ChatOpsEnvironment, dependencies: ChatOpsDependencies) {
  return async (event: Invocation): Promise<APIGatewayProxyResultV2 | { outcome: string }> => {
    if ("kind" in event && event.kind === "click") {
      const ports = await dependencies.act();
      const outcome = event.click.ticket.action === "do-it" ? await doIt(event.click, ports) : await acknowledge(event.click, ports);
      logger.info("Click carried out", { action: event.click.ticket.action, userId: event.click.userId, outcome });
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
    );
    if (result.outcome === "refused") {
      logger.warn("Click refused", { status: result.status, reason: result.reason, userId: result.userId, action: result.action });
      metrics.addMetric("ClicksRefused", MetricUnit.Count, 1);
    } else if (result.outcome === "accepted") {
      logger.info("Click accepted", { userId: result.userId, action: result.action });
      metrics.addMetric("ClicksAccepted", MetricUnit.Count, 1);
    }
    metrics.publishStoredMetrics();
    // Slack shows nothing of a 200's body for a button press; an unauthenticated caller learns only the status.
    return { statusCode: result.status, headers: { "content-type": "text/plain" }, body: "" };
  };
}

/** The real adapters, each loaded at its first call. */
export function awsDependencies(env: ChatOpsEnvironment): ChatOpsDependencies {
  // Read on every click: Powertools caches it for five minutes, so a rotated secret is picked up without a redeploy.
  const secret = async () => (await import("@hands-off-ops/core/aws/secrets")).readJsonSecret(env.slackSecretId);
  const botToken = async () => {
    const { readSlackConfig } = await import("@hands-off-ops/core/slack/config");
    const config = readSlackConfig(await secret(), "web-api");
    if (config.kind !== "web-api")
      throw new Error(`Slack is not connected: ${config.kind === "unconfigured" ? config.reason : config.kind}`);
    return config.botToken;
  };
  const dynamo = loadOnce(async () => (await import("@hands-off-ops/core/aws/clients")).stateTableClient());
  const tickets = onFirstCall(async () =>
    (await import("@hands-off-ops/core/aws/chatops-store")).dynamoTicketStore(env.tableName, await dynamo()),
  );
  const groups = onFirstCall(async () =>
    (await import("@hands-off-ops/core/slack/groups")).slackGroups(await botToken(), { apiUrl: env.slackApiUrl }),
  );
  return {
    now: () => new Date(),
    accept: {
      signingSecret: async () => (await import("@hands-off-ops/core/slack/config")).readSigningSecret(await secret()),
      groups,
      tickets,
      enqueue: async (click) => (await import("@hands-off-ops/core/aws/click-queue")).selfInvokedClicks(env.functionName)(click),
      tellPresser: async (url, text) => (await import("@hands-off-ops/core/slack/respond")).tellPresser(url, text),
    },
    async act() {
      const [{ dynamoNotifyStore }, { dynamoChatOpsAudit }, { webApiSlack }] = await Promise.all([
        import("@hands-off-ops/core/aws/notify-store"),
        import("@hands-off-ops/core/aws/chatops-store"),
        import("@hands-off-ops/core/slack/web-api"),
      ]);
      return {
        store: dynamoNotifyStore(env.tableName, await dynamo()),
        audit: dynamoChatOpsAudit(env.tableName, env.stage, await dynamo()),
        slack: webApiSlack(await botToken(), { apiUrl: env.slackApiUrl, retries: 3, minRetryDelayMs: 1000 }),
        rollback: onFirstCall(async () => (await import("@hands-off-ops/core/aws/rollback-invoke")).invokedRollback(env.rollbackFunction)),
      };
    },
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
