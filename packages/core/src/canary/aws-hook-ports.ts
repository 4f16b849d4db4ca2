import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import type { NoticePort } from "../aws/notices";
import { noticesOnFirstUse } from "../aws/on-first-use";
import { loadOnce } from "../lazy";
import type { ApprovalAsker } from "./hook";
import { fetchHttp } from "./http";
import type { HookPorts } from "./ports";

/** The hook's adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: HookPorts; notices: NoticePort; approvals: ApprovalAsker } {
  const approvalRequests = loadOnce(async () => (await import("./aws-approval-requests")).eventBridgeApprovalRequests(clients.eventBridge));
  const reporter = loadOnce(async () => (await import("../aws/hook-status")).codeDeployHookReporter(clients.codeDeploy));
  return {
    ports: {
      http: fetchHttp(),
      report: async (...verdict) => (await reporter())(...verdict),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
    },
    notices: noticesOnFirstUse(clients),
    approvals: { ask: async (request) => (await approvalRequests())(request) },
  };
}
