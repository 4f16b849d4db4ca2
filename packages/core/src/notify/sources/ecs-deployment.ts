import { subjects } from "../../chatops/tickets";
import { workerOfService } from "../../settings/workers";
import * as z from "../../zod";
import { dashboardLink, ecsServiceLink, serviceDeploymentLink } from "../links";
import type { DeploymentState, NotifyContext, OpsMessage } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

/** ECS's own service deployments (release.controller "ecs"): Amazon ECS Developer Guide, "service deployment state change events". */
export const ECS_DEPLOYMENT_DETAIL_TYPE = "ECS Deployment State Change";

const EcsDeploymentDetail = z.looseObject({
  eventType: z.enum(["INFO", "ERROR"]),
  eventName: z.enum(["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED"]),
  /** ECS's older deployment id (ecs-svc/…), not the service deployment's: see withServiceDeployment. */
  deploymentId: z.string().check(z.minLength(1)),
  reason: z._default(z.string(), ""),
});

/** What ECS says about its service deployment, as the release's thread tells it. */
export interface Phase {
  /** As CodeDeploy's states name it, for the incident a release is part of (ECS rolling back: STOP). */
  state?: DeploymentState;
  /** ECS's record says the release was rolled back and the previous revision serves. */
  rolledBack?: boolean;
  role: "start" | "reply" | "outcome";
  severity: OpsMessage["severity"];
  title: (release: string) => string;
  summary: string;
  nextStep: string | null;
}

const STARTED: Phase = {
  state: "START",
  role: "start",
  severity: "info",
  title: (release) => `Release ${release} started`,
  summary:
    "ECS started a release of the service (its own blue/green). Its hook verdicts, traffic steps and the outcome follow in this thread.",
  nextStep: null,
};
// The guide: a rollback's IN_PROGRESS differs from a release's only in its reason.
const ROLLING_BACK: Phase = {
  // The release no longer moves forward: to an incident it is part of, ECS has stopped it.
  state: "STOP",
  role: "reply",
  severity: "critical",
  title: (release) => `Release ${release} is being rolled back`,
  summary: "ECS is sending traffic back to the previous revision; its reason follows.",
  nextStep: "Read the hook verdicts and the alarm in this thread for the cause; fix it and release again.",
};
const COMPLETED: Phase = {
  state: "SUCCESS",
  role: "outcome",
  severity: "info",
  title: (release) => `Release ${release} completed`,
  summary: "ECS reports the service deployment completed and the service steady.",
  nextStep: null,
};
const FAILED: Phase = {
  state: "FAILURE",
  role: "outcome",
  severity: "critical",
  title: (release) => `Release ${release} failed`,
  summary: "ECS reports the service deployment failed; its reason follows.",
  nextStep:
    "Open the service's deployments for the failing step; the hook verdicts in this thread carry the evidence. Fix forward with a new release.",
};

/** The phase of an ECS deployment event, or null when it is not one. Pure. */
export function ecsDeploymentPhase(event: unknown): Phase | null {
  const detail = EcsDeploymentDetail.safeParse((event as { detail?: unknown } | null)?.detail);
  if (!detail.success) return null;
  const { eventName, reason } = detail.data;
  if (eventName === "SERVICE_DEPLOYMENT_COMPLETED") return COMPLETED;
  if (eventName === "SERVICE_DEPLOYMENT_FAILED") return FAILED;
  return /rolling back/i.test(reason) ? ROLLING_BACK : STARTED;
}

export function readEcsDeployment(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = EcsDeploymentDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `ECS deployment event detail ${firstIssue(parsed.error)}`);
  const phase = ecsDeploymentPhase(envelope) as Phase;
  const { eventName, deploymentId, reason } = parsed.data;
  const worker = workerOfService(context.workers, envelope.resources[0] ?? "")?.name;
  if (worker) return { kind: "message", message: workerDeployment(envelope, context, worker, phase, parsed.data) };
  // The release's id comes from ECS's record (withServiceDeployment); until then the message stands on its own.
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "deployment"),
    severity: phase.severity,
    title: phase.title("of the service"),
    summary: phase.summary,
    facts: [
      { label: "ECS event", value: eventName },
      { label: "ECS deployment", value: deploymentId },
      ...(reason ? [{ label: "Reason", value: reason.slice(0, 2000) }] : []),
    ],
    nextStep: phase.nextStep,
    links: [dashboardLink(envelope.region, context.dashboardName)],
  };
  return { kind: "message", message };
}

/**
 * A worker's own rolling deployment (stacks/workers.ts): no release of the public service, no thread; ECS rolls it
 * back by itself (circuit breaker, the worker's deployment alarms). A rollback or a failure becomes a step of the
 * worker's open incident where it has one (notify/enrich.ts).
 */
function workerDeployment(
  envelope: Envelope,
  context: NotifyContext,
  worker: string,
  phase: Phase,
  detail: z.infer<typeof EcsDeploymentDetail>,
): OpsMessage {
  const { eventName, deploymentId, reason } = detail;
  const told: Record<NonNullable<Phase["state"]>, Pick<OpsMessage, "severity" | "title" | "summary" | "nextStep">> = {
    START: {
      severity: "info",
      title: `${worker}: ECS deployment ${deploymentId} in progress`,
      summary: `ECS started a rolling deployment of ${worker}: new tasks start beside the old ones, which stop once the new are healthy.`,
      nextStep: null,
    },
    STOP: {
      severity: "warning",
      title: `${worker}: ECS is rolling deployment ${deploymentId} back`,
      summary: `ECS is rolling the deployment of ${worker} back by itself; its reason follows.`,
      nextStep: `Find the cause in the new revision of ${worker} before deploying it again; the rollback itself is ECS's.`,
    },
    SUCCESS: {
      severity: "info",
      title: `${worker}: ECS deployment ${deploymentId} completed`,
      summary: `ECS reports the deployment of ${worker} completed.`,
      nextStep: null,
    },
    FAILURE: {
      severity: "critical",
      title: `${worker}: ECS deployment ${deploymentId} failed`,
      summary: `ECS reports the deployment of ${worker} failed; its reason follows.`,
      nextStep: `Open ${worker}'s deployments in the ECS console: its events say whether ECS went back to the previous revision.`,
    },
    READY: {
      severity: "info",
      title: `${worker}: ECS deployment ${deploymentId}`,
      summary: `ECS reports ${eventName} for ${worker}.`,
      nextStep: null,
    },
  };
  const cluster = context.clusterName;
  return {
    ...baseMessage(envelope, context, "deployment"),
    worker,
    ...told[phase.state ?? "READY"],
    facts: [
      { label: "Service", value: `${worker} (a worker: ECS's rolling deployments)` },
      { label: "ECS event", value: eventName },
      { label: "ECS deployment", value: deploymentId },
      ...(reason ? [{ label: "Reason", value: reason.slice(0, 2000) }] : []),
    ],
    links: [ecsServiceLink(envelope.region, cluster, envelope.resources[0]?.split("/").at(-1) ?? worker)],
  };
}

/** The service deployment an ECS deployment event is about, from ECS's own record (aws/service-deployments.ts). */
export interface ServiceDeploymentFound {
  releaseId: string;
  status: string;
}

/**
 * The message in its release's thread, once ECS has named the service deployment: the same id the hook's
 * verdicts and the rollback use. A release that starts offers its stop (the rollback function, StopServiceDeployment).
 */
export function withServiceDeployment(
  message: OpsMessage,
  phase: Phase,
  found: ServiceDeploymentFound | { unreadable: string },
  region: string,
  context: Pick<NotifyContext, "clusterName" | "serviceName">,
): OpsMessage {
  if ("unreadable" in found)
    return {
      ...message,
      facts: [...message.facts, { label: "Release", value: `ECS's record could not be read (${found.unreadable})`.slice(0, 2000) }],
    };
  const { releaseId, status } = found;
  const outcome = outcomeOf(phase, status);
  return {
    ...message,
    severity: outcome.severity,
    title: outcome.title(releaseId),
    summary: outcome.summary,
    nextStep: outcome.nextStep,
    facts: [{ label: "Release", value: releaseId }, { label: "Status", value: status }, ...message.facts],
    links: [serviceDeploymentLink(region, context.clusterName, context.serviceName, releaseId), ...message.links],
    thread: {
      deploymentId: releaseId,
      role: outcome.role,
      ...(outcome.state ? { state: outcome.state } : {}),
      ...(outcome.rolledBack ? { rolledBack: true } : {}),
    },
    ...(outcome === STARTED
      ? { offers: [{ action: "roll-back" as const, subject: subjects.release(releaseId), label: "Roll back now" }] }
      : {}),
  };
}

/** ECS's record says more than its event: a "completed" that is a rollback's end, a rollback that itself failed. */
function outcomeOf(phase: Phase, status: string): Phase {
  if (phase.state === "SUCCESS" && status === "ROLLBACK_SUCCESSFUL")
    return {
      ...FAILED,
      title: (release) => `Release ${release} was rolled back`,
      summary: `ECS rolled the release back (status ${status}): users are on the previous revision.`,
      rolledBack: true,
    };
  if (status === "ROLLBACK_FAILED")
    return {
      ...FAILED,
      summary: `ECS could not roll the release back (status ${status}): the new revision may still serve users.`,
      nextStep:
        "Look at the service's deployments now: if the new revision serves, roll back by hand (aws ecs update-service to the previous task definition).",
    };
  return phase;
}
