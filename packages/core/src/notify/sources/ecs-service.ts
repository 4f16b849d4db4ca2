import { workerOfService } from "../../settings/workers";
import * as z from "../../zod";
import { ERROR_LOGS_QUERY, ecsServiceLink, logsQueryLink } from "../links";
import type { NotifyContext, OpsMessage } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

export const SERVICE_ACTION_DETAIL_TYPE = "ECS Service Action";

export const ServiceActionDetail = z.looseObject({
  eventType: z.enum(["INFO", "WARN", "ERROR"]),
  eventName: z.string().check(z.minLength(1)),
  clusterArn: z.string(),
  reason: z.optional(z.string()),
  capacityProviderArns: z.optional(z.array(z.string())),
});

/** The service action events of the ECS developer guide that need a person, in their words. */
const KNOWN: Record<string, { title: string; summary: string; next: string }> = {
  SERVICE_TASK_PLACEMENT_FAILURE: {
    title: "ECS cannot place the service's tasks",
    // What the service runs is added from ECS's own counts, read when the message is delivered (service-impact.ts).
    summary: "The scheduler could not find capacity for new tasks.",
    next: "Read the reason below (RESOURCE:FARGATE means no Fargate capacity in the zone); the scheduler keeps retrying.",
  },
  SERVICE_TASK_START_IMPAIRED: {
    title: "ECS cannot start the service's tasks consistently",
    summary: "New tasks keep failing to start or to become healthy: the service is no longer at a steady state.",
    next: "Look at the stopped tasks of the service (their stop reasons are posted separately) and at the latest release.",
  },
  SERVICE_TASK_CONFIGURATION_FAILURE: {
    title: "ECS rejects the service's task configuration",
    summary: "The scheduler cannot start tasks because of a configuration error (for example a task role it cannot assume).",
    next: "Read the reason below; it names the part of the configuration to fix.",
  },
  ECS_OPERATION_THROTTLED: {
    title: "ECS is throttling the service's scheduler",
    summary: "The service scheduler hit ECS API limits; scaling and replacements are delayed.",
    next: "Look for something calling the ECS API in a loop in this account and region.",
  },
};

/** ECS's word that the service is whole again: healthy, at its desired count (reported periodically while it stays so). */
export const STEADY_STATE = "SERVICE_STEADY_STATE";

/**
 * A steady state ends the episodic signals of the service's open incident (an OOM kill, a placement failure, crashes):
 * it is a step that only joins (functions/notify.ts), never a message of its own.
 */
function steadyState(envelope: Envelope, context: NotifyContext, detail: z.infer<typeof ServiceActionDetail>): Normalized {
  const cluster = detail.clusterArn.split("/").at(-1) ?? context.clusterName;
  const service = envelope.resources[0]?.split("/").at(-1) ?? context.serviceName;
  const worker = workerOfService(context.workers, service)?.name;
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "service-action"),
    ...(worker ? { worker } : {}),
    severity: "resolved",
    title: worker ? `${worker}: ECS reports the service steady again` : "ECS reports the service steady again",
    summary: "ECS says the service is healthy and runs its desired count of tasks (SERVICE_STEADY_STATE).",
    facts: [
      { label: "Event", value: detail.eventName },
      { label: "Service", value: `${cluster}/${service}` },
    ],
    nextStep: null,
    links: [ecsServiceLink(envelope.region, cluster, service)],
  };
  return { kind: "message", message };
}

export function readServiceAction(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = ServiceActionDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `service action detail ${firstIssue(parsed.error)}`);
  const detail = parsed.data;
  if (detail.eventName === STEADY_STATE) return steadyState(envelope, context, detail);
  if (detail.eventType === "INFO") return { kind: "ignored", reason: `${detail.eventName} is informational` };
  const known = KNOWN[detail.eventName];
  const cluster = detail.clusterArn.split("/").at(-1) ?? context.clusterName;
  const service = envelope.resources[0]?.split("/").at(-1) ?? context.serviceName;
  // A worker's service event is the worker's: its title names it, its incident is its own.
  const worker = workerOfService(context.workers, service)?.name;
  const facts = [
    { label: "Event", value: detail.eventName },
    { label: "Service", value: `${cluster}/${service}` },
  ];
  if (detail.reason) facts.push({ label: "Reason", value: detail.reason.slice(0, 2000) });
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "service-action"),
    ...(worker ? { worker } : {}),
    severity: detail.eventType === "ERROR" ? "critical" : "warning",
    title: `${worker ? `${worker}: ` : ""}${known?.title ?? `ECS service event ${detail.eventName}`}`.slice(0, 140),
    summary: known?.summary ?? `ECS reported ${detail.eventName} (${detail.eventType}) for the service.`,
    facts,
    nextStep: known?.next ?? "Open the service's events tab in the ECS console.",
    links: [
      ecsServiceLink(envelope.region, cluster, service),
      // The public service's log group: a worker logs to a group of its own.
      ...(worker ? [] : [logsQueryLink(envelope.region, context.logGroupName, ERROR_LOGS_QUERY, new Date(envelope.time))]),
    ],
    incident: {
      role: "event",
      key: worker ? `service-action:${worker}:${detail.eventName}` : `service-action:${detail.eventName}`,
      state: detail.reason ?? detail.eventType,
    },
  };
  return { kind: "message", message };
}
