import type { AutomationNotice } from "../notify/sources/automation";
import type { ServiceDeploymentFound } from "../notify/sources/ecs-deployment";
import type { SmokeHeaderValue } from "../settings/canary";
import type { CanarySettings } from "../settings/schema";
import type { JudgedWindow } from "./watch-window";

/**
 * The canary's effects (hooks and watch), as small interfaces: the aws-*.ts files beside them and http.ts implement
 * them; tests and the console with local peers or recording clients.
 */

export interface CanaryTaskSets {
  /** Target group names of the new (green) and current (blue) task sets, and the share of traffic on green. */
  greenTargetGroup: string;
  blueTargetGroup: string;
  greenTrafficPercent: number;
  /**
   * The task definitions ("family:revision") the green and blue task sets run, which the service's own per-revision
   * metrics are dimensioned by (the watch's fast path); absent when they could not be read, with the reason.
   */
  revisions?: { green: string; blue: string };
  revisionsUnknown?: string;
}

export interface CanaryDeploymentsPort {
  status(deploymentId: string): Promise<string>;
  taskSets(deploymentId: string, targetId: string): Promise<CanaryTaskSets | null>;
  /** StopDeployment with rollback; a deployment that already finished is left as it is. */
  stopWithRollback(deploymentId: string): Promise<"stopped" | "already-finished">;
}

export interface RevisionMetricsPort {
  /**
   * The green and blue task definition revisions' own request and 5xx counts over the newest 10-s periods that
   * both have data for, before `now`; null while either has none (the watch then judges the load balancer's).
   * No latency: that stays with the load balancer's metrics.
   */
  window(revisions: { green: string; blue: string }, watch: CanarySettings["watch"], now: Date): Promise<JudgedWindow | null>;
}

export interface TargetMetricsPort {
  /** Both target groups over the newest whole minutes CloudWatch has published before `now` (see newestCompleteWindow). */
  window(targetGroups: { green: string; blue: string }, watch: CanarySettings["watch"], now: Date): Promise<WatchedMetrics>;
}

/** The judged window; `minutes` is absent only from a port that cannot tell which minutes it read (the replay's). */
export type WatchedMetrics = Omit<JudgedWindow, "minutes"> & Partial<Pick<JudgedWindow, "minutes">>;

export interface WatchSchedulesPort {
  /** Invoke `functionArn` every minute with the deployment id until `until` (then the schedule deletes itself). */
  start(deploymentId: string, functionArn: string, until: Date): Promise<"started" | "already-running">;
  stop(deploymentId: string): Promise<"stopped" | "not-running">;
}

/** One HTTP exchange as the checks see it: a status and a body, or why there was none. */
export type Exchange =
  | { kind: "response"; status: number; body: string; latencyMs: number }
  | { kind: "failure"; reason: string; latencyMs: number };

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST";
  url: string;
  body: string | null;
  timeoutMs: number;
  /** Written out, or named in Secrets Manager and read by the adapter when it sends (settings/canary.ts). */
  headers?: Readonly<Record<string, SmokeHeaderValue>>;
}

export interface HttpPort {
  send(request: HttpRequest): Promise<Exchange>;
}

export interface HookPorts {
  http: HttpPort;
  /** PutLifecycleEventHookExecutionStatus (its answer is not acted on). */
  report(deploymentId: string, executionId: string, status: HookStatus): Promise<unknown>;
  /** Waits `ms`, or less if `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface EcsHookPorts {
  http: HttpPort;
  /** Whether the service deployment has no source revision: the service's first, with nothing to compare with. */
  isFirstDeployment(serviceDeploymentArn: string): Promise<boolean>;
  /** Waits `ms`, or less if `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
}

export interface WatchPorts {
  deployments: CanaryDeploymentsPort;
  metrics: TargetMetricsPort;
  /** The service's own per-revision counts in 10-s periods (the fast path); without it, the load balancer's only. */
  revisionMetrics?: RevisionMetricsPort;
  schedules: WatchSchedulesPort;
  notify(notice: AutomationNotice): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

export type HookStatus = "Succeeded" | "Failed";

/** ECS's record of the service deployment an ECS event is about (release.controller "ecs"). */
export interface WatchedServiceDeployments {
  latestAt(at: Date): Promise<ServiceDeploymentFound>;
}
