import type { AcceptedClick } from "@hands-off-ops/core/chatops/accept";
import { APPROVAL_DETAIL_TYPE } from "@hands-off-ops/core/chatops/approval";
import { readInvocation } from "@hands-off-ops/core/chatops/invocation";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { approvalRequest, formBody, pressPayload, sign } from "./signed-requests";

const slackRequest = (over: Partial<LambdaFunctionURLEvent>) => ({ isBase64Encoded: false, ...over }) as LambdaFunctionURLEvent;

describe("what the Slack actions function is asked", () => {
  it("is a click to carry out, an approval request or a gate's deadline when one of our own invocations says so", () => {
    const click = { userId: "U1", userName: "alice", at: "2026-11-24T16:10:00Z" } as AcceptedClick;
    expect(readInvocation({ kind: "click", click })).toEqual({ kind: "click", click });
    const detail = approvalRequest("d-1", "e-1");
    expect(readInvocation({ "detail-type": APPROVAL_DETAIL_TYPE, detail })).toEqual({ kind: "approval-request", detail });
    expect(readInvocation({ kind: "approval-deadline", deploymentId: "d-1" })).toEqual({ kind: "approval-deadline", deploymentId: "d-1" });
  });

  it("is otherwise Slack's request, its body as Slack signed it whether or not the function URL base64-encoded it", () => {
    const { headers, body } = sign(formBody(pressPayload()));
    const plain = readInvocation(slackRequest({ headers, body }));
    expect(plain).toEqual({ kind: "slack-request", request: { headers, body } });
    const encoded = readInvocation(slackRequest({ headers, body: Buffer.from(body).toString("base64"), isBase64Encoded: true }));
    expect(encoded).toEqual(plain);
  });

  it("is a request with no headers and no body when Slack's request has neither (refused later, by its shape)", () => {
    expect(readInvocation(slackRequest({}))).toEqual({ kind: "slack-request", request: { headers: {}, body: "" } });
    expect(readInvocation(slackRequest({ isBase64Encoded: true }))).toEqual({ kind: "slack-request", request: { headers: {}, body: "" } });
  });
});
