import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { type ApprovalRequest, approvalRequestEntry } from "../chatops/gate";

/** A hook's request for approval, on the default bus for the Slack actions function's rule. A refused entry is an error. */
export function eventBridgeApprovalRequests(client: EventBridgeClient = new EventBridgeClient({})) {
  return async (request: ApprovalRequest) => {
    const { FailedEntryCount, Entries } = await client.send(new PutEventsCommand({ Entries: [approvalRequestEntry(request)] }));
    if (FailedEntryCount)
      throw new Error(
        `EventBridge refused the approval request: ${Entries?.[0]?.ErrorCode ?? "?"} ${Entries?.[0]?.ErrorMessage ?? ""}`.trim(),
      );
  };
}
