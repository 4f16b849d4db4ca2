import type { LambdaFunctionURLEvent } from "aws-lambda";
import type { AcceptedClick } from "./accept";
import { APPROVAL_DETAIL_TYPE } from "./approval";
import type { RawRequest } from "./slack-verify";

/** The HTTP request from Slack; a click handed on by the endpoint; an approval gate's deadline; a hook's approval request. */
export type Invocation =
  | LambdaFunctionURLEvent
  | { kind: "click"; click: AcceptedClick }
  | { kind: "approval-deadline"; deploymentId: string }
  | { "detail-type": typeof APPROVAL_DETAIL_TYPE; detail: unknown };

/** An invocation named by what it asks of the function. */
export type ReadInvocation =
  | { kind: "click"; click: AcceptedClick }
  | { kind: "approval-request"; detail: unknown }
  | { kind: "approval-deadline"; deploymentId: string }
  | { kind: "slack-request"; request: RawRequest };

/**
 * What the function is asked: our own invocations first (they carry a mark Slack's request cannot), and anything
 * else is Slack's request, whose signature is checked on the body exactly as Slack sent it (the function URL may
 * have base64-encoded it).
 */
export function readInvocation(event: Invocation): ReadInvocation {
  if ("kind" in event && event.kind === "click") return { kind: "click", click: event.click };
  if ("detail-type" in event && event["detail-type"] === APPROVAL_DETAIL_TYPE) return { kind: "approval-request", detail: event.detail };
  if ("kind" in event && event.kind === "approval-deadline") return { kind: "approval-deadline", deploymentId: event.deploymentId };
  const http = event as LambdaFunctionURLEvent;
  const body = http.isBase64Encoded ? Buffer.from(http.body ?? "", "base64").toString("utf8") : (http.body ?? "");
  return { kind: "slack-request", request: { headers: http.headers ?? {}, body } };
}
