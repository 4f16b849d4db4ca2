import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import type { NoticePort } from "../aws/notices";
import { noticesOnFirstUse } from "../aws/on-first-use";
import { loadOnce } from "../lazy";
import { fetchHttp } from "./http";
import type { EcsHookPorts } from "./ports";

/** The hook's adapters, each loaded at its first call, with the given clients (the console's) or their own. */
export function awsPorts(clients: Clients = {}): { ports: EcsHookPorts; notices: NoticePort } {
  const deployments = loadOnce(async () => (await import("../aws/service-deployments")).ecsServiceDeployments(clients.ecs));
  return {
    ports: {
      http: fetchHttp(),
      isFirstDeployment: async (arn) => (await deployments()).isFirstDeployment(arn),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
      now: () => Date.now(),
    },
    notices: noticesOnFirstUse(clients),
  };
}
