import { serviceIncidentLink } from "./correlate";
import { alarmLinkOf, joinIncident } from "./deployment-incident";
import { wantsDeploymentReport, withDeploymentReport } from "./deployment-report";
import type { NotifyEnvironment } from "./environment";
import { incidentScope, type OpsMessage } from "./message";
import type { NotifyDependencies, NotifyStore } from "./ports";
import { wantsServiceImpact, withServiceImpact } from "./service-impact";
import { ECS_DEPLOYMENT_DETAIL_TYPE, ecsDeploymentPhase, withServiceDeployment } from "./sources/ecs-deployment";
import { STEADY_STATE } from "./sources/ecs-service";

/** Where a fact that could not be read is logged (the handler's logger). */
export type Warn = (message: string, details: Record<string, unknown>) => void;

/**
 * A normalized message with what only AWS can say now: its release's thread (an ECS deployment event), CodeDeploy's
 * report of a failed release, what an ECS service event does to the service, and the incident it belongs to. A fact
 * that cannot be read costs the message that fact, which it says, never its delivery.
 */
export async function enrich(
  message: OpsMessage,
  event: unknown,
  env: NotifyEnvironment,
  dependencies: NotifyDependencies,
  store: NotifyStore,
  warn: Warn,
): Promise<OpsMessage> {
  if (message.worker && message.source.detailType === ECS_DEPLOYMENT_DETAIL_TYPE)
    return workerDeploymentStep(message, ecsDeploymentPhase(event), store, env, warn);
  return withFacts(await inReleaseThread(message, event, env, dependencies, warn), env, dependencies, store, warn);
}

/**
 * A worker's deployment that ECS rolls back or that fails, while the worker has an incident open (its alarm fired,
 * its tasks crashed): a step of that incident, in ECS's own words; ECS's rollback is the worker's, nothing of the
 * public service is blamed. Otherwise the message stands alone.
 */
async function workerDeploymentStep(
  message: OpsMessage,
  phase: ReturnType<typeof ecsDeploymentPhase>,
  store: NotifyStore,
  env: NotifyEnvironment,
  warn: Warn,
): Promise<OpsMessage> {
  if (phase?.state !== "STOP" && phase?.state !== "FAILURE") return message;
  const link = await endOfEpisode(message, store, env, warn);
  if (!link) return message;
  const reason = message.facts.find((fact) => fact.label === "Reason")?.value;
  const did =
    phase.state === "STOP"
      ? `ECS is rolling the deployment of worker "${message.worker}" back by itself${reason ? `: ${reason}` : ""}`
      : `ECS reports the deployment of worker "${message.worker}" failed${reason ? `: ${reason}` : ""}`;
  return {
    ...message,
    incident: {
      role: "step",
      key: link.key,
      did: did.slice(0, 300),
      escalates: false,
      deployments: [],
      // ECS rolls the worker back: nothing asks a person to do it again.
      ...(phase.state === "STOP" ? { handled: true } : {}),
    },
  };
}

/**
 * The facts only AWS can give now: CodeDeploy's report of a failed release, what an ECS service event does to the
 * service; and the incident a deployment is part of (the release an alarm blamed, the rollback started for it).
 */
async function withFacts(message: OpsMessage, env: NotifyEnvironment, dependencies: NotifyDependencies, store: NotifyStore, warn: Warn) {
  if (message.source.kind === "deployment" && message.thread) {
    const deploymentId = message.thread.deploymentId;
    const report = wantsDeploymentReport(message)
      ? await orUnreadable(() => dependencies.deploymentReports.report(deploymentId), "CodeDeploy's report", deploymentId, warn)
      : undefined;
    const reported = report ? withDeploymentReport(message, env.context.region, report) : message;
    const known = report && !("unreadable" in report) ? report : {};
    const linked = await orUnreadable(() => store.deploymentLink(deploymentId), "The incident of a deployment", deploymentId, warn);
    // Unreadable, the message goes out on its own rather than not at all.
    const link =
      (linked && !("unreadable" in linked) ? linked : undefined) ??
      alarmLinkOf(known, env.context.releaseAlarms) ??
      (await endOfRelease(message, store, env, warn));
    return link ? joinIncident(reported, link, known.rollback?.rollbackDeploymentId) : reported;
  }
  if (isSteadyState(message)) {
    // Only an incident open on the service hears of it: its crashes, kills and placement failures are over.
    const link = await endOfEpisode(message, store, env, warn);
    return link
      ? {
          ...message,
          incident: {
            role: "step" as const,
            key: link.key,
            did: "ECS reports the service steady again: healthy, at its desired count of tasks.",
            escalates: false,
            deployments: [],
            ends: true,
          },
        }
      : message;
  }
  if (wantsServiceImpact(message)) {
    // A worker's event is graded by the worker's own tasks, not the public service's.
    const service = (message.worker && env.context.workers.find((w) => w.name === message.worker)?.ecsService) || env.context.serviceName;
    const counts = await orUnreadable(() => dependencies.serviceCounts.counts(service), "The service's task counts", service, warn);
    return withServiceImpact(message, env.kind, counts);
  }
  return message;
}

export const isSteadyState = (message: OpsMessage) => message.source.kind === "service-action" && message.facts[0]?.value === STEADY_STATE;

/** A release stopped, failed or rolled back while its service has an incident: a step of that incident. */
async function endOfRelease(message: OpsMessage, store: NotifyStore, env: NotifyEnvironment, warn: Warn) {
  const state = message.thread?.state;
  if (state !== "STOP" && state !== "FAILURE") return undefined;
  return endOfEpisode(message, store, env, warn);
}

/** The service's incident, open or ended less than the window ago, that a closing signal belongs to. */
async function endOfEpisode(message: OpsMessage, store: NotifyStore, env: NotifyEnvironment, warn: Warn) {
  const service = incidentScope(message);
  const found = await orUnreadable(
    () => serviceIncidentLink(store, service, message.occurredAt, env.settings.collapseWindowMinutes),
    "The service's open incident",
    service,
    warn,
  );
  return found && !("unreadable" in found) ? found : undefined;
}

/** An ECS deployment event joins its release's thread once ECS names the service deployment it is about. */
async function inReleaseThread(message: OpsMessage, event: unknown, env: NotifyEnvironment, dependencies: NotifyDependencies, warn: Warn) {
  const phase = message.source.detailType === ECS_DEPLOYMENT_DETAIL_TYPE ? ecsDeploymentPhase(event) : null;
  if (!phase) return message;
  const found = await orUnreadable(
    () => dependencies.serviceDeployments.latestAt(new Date(message.occurredAt)),
    "ECS's service deployments",
    env.context.serviceName,
    warn,
  );
  return withServiceDeployment(message, phase, found, env.context.region, env.context);
}

/** A fact that cannot be read costs the message that fact (it says so), not its delivery. */
async function orUnreadable<T>(read: () => Promise<T>, what: string, about: string, warn: Warn): Promise<T | { unreadable: string }> {
  try {
    return await read();
  } catch (error) {
    warn(`${what} could not be read`, { about, error: error as Error });
    return { unreadable: `${(error as Error).name}: ${(error as Error).message}` };
  }
}
