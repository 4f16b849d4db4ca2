import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type AutomationNotice, automationEntry } from "../notify/sources/automation";

export interface NoticePort {
  send(notice: AutomationNotice): Promise<void>;
}

/**
 * How a function (canary hooks, rollback, schedule) tells on-call what it did:
 * one event on the default bus, which the notifier's rule picks up.
 * PutEvents can accept the call and still refuse the entry: that is an error too.
 */
export function eventBridgeNotices(client?: EventBridgeClient): NoticePort {
  return {
    async send(notice) {
      const sdk = await import("./sdk/eventbridge");
      client ??= new sdk.EventBridgeClient({});
      const { FailedEntryCount, Entries } = await client.send(new sdk.PutEventsCommand({ Entries: [automationEntry(notice)] }));
      if (FailedEntryCount) {
        const entry = Entries?.[0];
        throw new Error(`EventBridge refused the notice "${notice.title}": ${entry?.ErrorCode ?? "?"} ${entry?.ErrorMessage ?? ""}`.trim());
      }
    },
  };
}
