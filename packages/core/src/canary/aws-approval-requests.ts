import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type ApprovalRequest, approvalRequestEntry } from "../chatops/gate";

/** A hook's request for approval, on the default bus for the Slack actions function's rule. A refused entry is an error. */
export function eventBridgeApprovalRequests(client?: EventBridgeClient) {
  return async (request: ApprovalRequest) => {
    const sdk = await import("../aws/sdk/eventbridge");
    client ??= new sdk.EventBridgeClient({});
    const { FailedEntryCount, Entries } = await client.send(new sdk.PutEventsCommand({ Entries: [approvalRequestEntry(request)] }));
    if (FailedEntryCount)
      throw new Error(
        `EventBridge refused the approval request: ${Entries?.[0]?.ErrorCode ?? "?"} ${Entries?.[0]?.ErrorMessage ?? ""}`.trim(),
      );
  };
}
