import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import { codeDeployHookReporter } from "../aws/hook-status";
import { eventBridgeNotices, type NoticePort } from "../aws/notices";
import { secretValues } from "../aws/secrets";
import { eventBridgeApprovalRequests } from "./aws-approval-requests";
import type { ApprovalAsker } from "./hook";
import { fetchHttp } from "./http";
import type { HookPorts } from "./ports";

/** The hook's adapters, each loading its SDK client at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: HookPorts; notices: NoticePort; approvals: ApprovalAsker } {
  return {
    ports: {
      http: fetchHttp({ secrets: secretValues(clients.secretsManager) }),
      report: codeDeployHookReporter(clients.codeDeploy),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
    },
    notices: eventBridgeNotices(clients.eventBridge),
    approvals: { ask: eventBridgeApprovalRequests(clients.eventBridge) },
  };
}
