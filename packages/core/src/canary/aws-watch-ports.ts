import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import { eventBridgeNotices } from "../aws/notices";
import { ecsServiceDeployments } from "../aws/service-deployments";
import { codeDeployCanary } from "./aws-canary-deployments";
import { ecsCanary } from "./aws-ecs-canary";
import { cloudWatchRevisionMetrics } from "./aws-revision-metrics";
import { cloudWatchTargetMetrics } from "./aws-target-metrics";
import { schedulerWatchSchedules } from "./aws-watch-schedules";
import type { WatchEnvironment } from "./environment";
import type { WatchedServiceDeployments, WatchPorts } from "./ports";

/**
 * The AWS adapters, with the given clients (the console's) or their own, each made at its first call: a release's
 * start and end events need only the Scheduler, a tick CodeDeploy (or ECS) and CloudWatch.
 */
export function awsPorts(env: WatchEnvironment, clients: Clients = {}): WatchPorts & { serviceDeployments?: WatchedServiceDeployments } {
  const notices = eventBridgeNotices(clients.eventBridge);
  const watched = env.releases;
  return {
    deployments:
      watched.controller === "ecs"
        ? ecsCanary(watched.releases, watched.rules, clients.ecs, clients.elbv2)
        : codeDeployCanary(clients.codeDeploy, clients.ecs),
    ...(watched.controller === "ecs" ? { serviceDeployments: serviceDeploymentsOf(watched.releases, clients) } : {}),
    metrics: cloudWatchTargetMetrics(env.loadBalancer, clients.cloudWatch),
    // The fast path: the service's own per-revision counts in 10-s periods (the release's task sets or service revisions name them).
    revisionMetrics: cloudWatchRevisionMetrics(env.context.stage, clients.cloudWatch),
    schedules: schedulerWatchSchedules(env.scheduleGroup, env.schedulerRoleArn, clients.scheduler),
    notify: (notice) => notices.send(notice),
    sleep: (ms) => sleep(ms),
    now: () => new Date(),
  };
}

function serviceDeploymentsOf(service: { cluster: string; service: string }, clients: Clients): WatchedServiceDeployments {
  const deployments = ecsServiceDeployments(clients.ecs);
  return { latestAt: (at: Date) => deployments.latestAt(service.cluster, service.service, at) };
}
