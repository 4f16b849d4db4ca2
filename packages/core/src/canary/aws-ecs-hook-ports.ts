import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import { eventBridgeNotices, type NoticePort } from "../aws/notices";
import { secretValues } from "../aws/secrets";
import { ecsServiceDeployments } from "../aws/service-deployments";
import { fetchHttp } from "./http";
import type { EcsHookPorts } from "./ports";

/** The hook's adapters, each loading its SDK client at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: EcsHookPorts; notices: NoticePort } {
  const deployments = ecsServiceDeployments(clients.ecs);
  return {
    ports: {
      http: fetchHttp({ secrets: secretValues(clients.secretsManager) }),
      isFirstDeployment: (arn) => deployments.isFirstDeployment(arn),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
      now: () => Date.now(),
    },
    notices: eventBridgeNotices(clients.eventBridge),
  };
}
