import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients";
import { noticesOnFirstUse } from "../aws/on-first-use";
import { onFirstCall } from "../lazy";
import type { WatchEnvironment } from "./environment";
import type { WatchedServiceDeployments, WatchPorts } from "./ports";

/** The AWS adapters, with the given clients (the console's) or their own. */
export function awsPorts(env: WatchEnvironment, clients: Clients = {}): WatchPorts & { serviceDeployments?: WatchedServiceDeployments } {
  // Loaded at first use: a release's start and end events need only the Scheduler, a tick CodeDeploy (or ECS) and CloudWatch.
  const notices = noticesOnFirstUse(clients);
  const watched = env.releases;
  return {
    deployments: onFirstCall(async () =>
      watched.controller === "ecs"
        ? (await import("./aws-ecs-canary")).ecsCanary(watched.releases, watched.rules, clients.ecs, clients.elbv2)
        : (await import("./aws-canary-deployments")).codeDeployCanary(clients.codeDeploy, clients.ecs),
    ),
    ...(watched.controller === "ecs"
      ? {
          serviceDeployments: onFirstCall(async () => {
            const deployments = (await import("../aws/service-deployments")).ecsServiceDeployments(clients.ecs);
            return { latestAt: (at: Date) => deployments.latestAt(watched.releases.cluster, watched.releases.service, at) };
          }),
        }
      : {}),
    metrics: onFirstCall(async () => (await import("./aws-target-metrics")).cloudWatchTargetMetrics(env.loadBalancer, clients.cloudWatch)),
    // The fast path: the service's own per-revision counts in 10-s periods (the release's task sets or service revisions name them).
    revisionMetrics: onFirstCall(async () =>
      (await import("./aws-revision-metrics")).cloudWatchRevisionMetrics(env.context.stage, clients.cloudWatch),
    ),
    schedules: onFirstCall(async () =>
      (await import("./aws-watch-schedules")).schedulerWatchSchedules(env.scheduleGroup, env.schedulerRoleArn, clients.scheduler),
    ),
    notify: (notice) => notices.send(notice),
    sleep: (ms) => sleep(ms),
    now: () => new Date(),
  };
}
