import { workerOfService } from "../../settings/workers";
import * as z from "../../zod";
import { ecsServiceLink, ecsTaskLink, logStreamLink } from "../links";
import type { Fact, NotifyContext, OpsMessage, Severity } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

export const TASK_DETAIL_TYPE = "ECS Task State Change";

const Container = z.looseObject({
  name: z.string(),
  exitCode: z.optional(z.number().check(z.int())),
  reason: z.optional(z.string()),
  lastStatus: z.optional(z.string()),
});

export const TaskDetail = z.looseObject({
  clusterArn: z.string(),
  taskArn: z.string(),
  lastStatus: z.string(),
  taskDefinitionArn: z._default(z.string(), ""),
  group: z.optional(z.string()),
  stopCode: z.optional(z.string()),
  stoppedReason: z.optional(z.string()),
  containers: z._default(z.array(Container), []),
  startedBy: z.optional(z.string()),
});
type TaskDetail = z.infer<typeof TaskDetail>;

/** The operator shell's task family (stacks/shell.ts): `<stack>-shell`, run by `npm run ops -- shell`. */
export const SHELL_FAMILY_SUFFIX = "-shell";
/** What `npm run ops -- shell` puts in the task's startedBy: who opened it. */
export const SHELL_STARTED_BY_PREFIX = "ops-shell:";

/** Why a task stopped, as far as a person on call cares. */
export type TaskStop =
  | { kind: "out-of-memory"; container: string }
  | { kind: "load-balancer-health-check" }
  | { kind: "container-health-check" }
  | { kind: "failed-to-start"; reason: string }
  | { kind: "crashed"; container: string; exitCode: number | undefined; reason: string | undefined }
  | { kind: "routine"; reason: string };

/** ECS's own wording, from the stopped-task reasons documented in the ECS developer guide. */
/** Crashes of one revision, each within the collapse window of the last, that make a crash loop. */
export const CRASH_LOOP_AT = 3;

export function classifyStop(task: TaskDetail): TaskStop {
  const reason = task.stoppedReason ?? "";
  const oom = task.containers.find((c) => /OutOfMemory/i.test(c.reason ?? ""));
  if (oom) return { kind: "out-of-memory", container: oom.name };
  if (/ELB health checks/i.test(reason)) return { kind: "load-balancer-health-check" };
  if (/container health checks/i.test(reason)) return { kind: "container-health-check" };
  if (task.stopCode === "TaskFailedToStart") return { kind: "failed-to-start", reason: reason || "no reason given" };
  if (task.stopCode === "EssentialContainerExited") {
    const exited = task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? task.containers[0];
    return { kind: "crashed", container: exited?.name ?? "?", exitCode: exited?.exitCode, reason: exited?.reason };
  }
  return { kind: "routine", reason: reason || task.stopCode || "stopped" };
}

const WORDING: Record<Exclude<TaskStop["kind"], "routine">, { severity: Severity; title: string; summary: string; next: string }> = {
  "out-of-memory": {
    severity: "critical",
    title: "A task was killed: out of memory",
    summary: "The container used more memory than its task allows and was killed. ECS's scheduler will try to start a replacement.",
    next: "Look for a memory leak in the latest release, or raise service.memoryMiB for the stage.",
  },
  "load-balancer-health-check": {
    severity: "warning",
    title: "A task failed its load balancer health checks",
    summary:
      "The load balancer stopped getting answers from the task's /health endpoint, so ECS stopped the task. ECS's scheduler will try to start a replacement.",
    next: "Read the task's logs around the stop: a slow start, a hung event loop or an unreachable database.",
  },
  "container-health-check": {
    severity: "warning",
    title: "A task failed its container health check",
    summary:
      "The container's own health check failed three times in a row, so ECS stopped the task. ECS's scheduler will try to start a replacement.",
    next: "Read the task's logs around the stop; the health check runs `node dist/healthcheck.js` inside the container.",
  },
  "failed-to-start": {
    severity: "critical",
    title: "A task could not start",
    summary: "ECS could not start the task (image pull, secrets, network or capacity). The service keeps retrying.",
    next: "Read the stop reason below; CannotPullContainerError and ResourceInitializationError name the failing dependency.",
  },
  crashed: {
    severity: "warning",
    title: "A task crashed",
    summary: "The service's essential container exited, so ECS stopped the task. ECS's scheduler will try to start a replacement.",
    next: "Read the task's last log lines; repeated crashes of a new version call for a rollback.",
  },
};

export function readTask(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = TaskDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `task event detail ${firstIssue(parsed.error)}`);
  const task = parsed.data;
  if (task.group?.startsWith("family:") && task.group.endsWith(SHELL_FAMILY_SUFFIX)) return readShellTask(envelope, context, task);
  if (task.lastStatus !== "STOPPED") return { kind: "ignored", reason: `task is ${task.lastStatus}, not stopped` };
  const stop = classifyStop(task);
  if (stop.kind === "routine") return { kind: "ignored", reason: `routine stop: ${stop.reason}` };

  const wording = WORDING[stop.kind];
  const taskId = task.taskArn.split("/").at(-1) ?? task.taskArn;
  const cluster = task.clusterArn.split("/").at(-1) ?? context.clusterName;
  const revision = task.taskDefinitionArn.split("/").at(-1) ?? "?";
  const container = "container" in stop ? stop.container : (task.containers[0]?.name ?? "app");
  // A worker's task (another ECS service of the stage's cluster) is named as the worker's, never as the public service's.
  const ecsService = task.group?.startsWith("service:") ? task.group.slice("service:".length) : context.serviceName;
  const ofPublicService = ecsService === context.serviceName;
  // Its name as the settings give it where the environment knows the worker; otherwise its container's (the same name).
  const worker = ofPublicService ? undefined : (workerOfService(context.workers, ecsService)?.name ?? container);
  const plainTitle =
    stop.kind === "crashed" && stop.exitCode !== undefined ? `${wording.title} (exit code ${stop.exitCode})` : wording.title;
  const title = worker ? `${worker}: ${plainTitle}` : plainTitle;
  const facts: Fact[] = [
    ...(worker ? [{ label: "Service", value: `${worker} (ECS service ${ecsService})` }] : []),
    { label: "Task", value: taskId },
    { label: "Task definition", value: revision },
  ];
  if (task.stopCode) facts.push({ label: "Stop code", value: task.stopCode });
  if (task.stoppedReason) facts.push({ label: "Stop reason", value: task.stoppedReason.slice(0, 2000) });
  for (const c of task.containers) {
    if (c.exitCode === undefined && !c.reason) continue;
    const parts = [c.exitCode === undefined ? null : `exit code ${c.exitCode}`, c.reason].filter(Boolean).join(", ");
    facts.push({ label: `Container ${c.name}`.slice(0, 60), value: parts.slice(0, 2000) });
  }

  const message: OpsMessage = {
    ...baseMessage(envelope, context, "task"),
    ...(worker ? { worker } : {}),
    severity: wording.severity,
    title,
    summary: wording.summary,
    facts,
    // A try, not a promise: this event cannot tell whether ECS has the capacity to place the replacement.
    actionsTaken: ["ECS stopped the task; its scheduler will try to start a replacement to keep the service at its desired count."],
    nextStep: wording.next,
    links: [
      // The stream prefix is the service's name, as its container's (stacks/service-task.ts); a worker logs to a group of its own.
      ...(ofPublicService ? [logStreamLink(envelope.region, context.logGroupName, `${container}/${container}/${taskId}`)] : []),
      ecsTaskLink(envelope.region, cluster, taskId),
      ecsServiceLink(envelope.region, cluster, ecsService),
    ],
    // A crash loop is one message that counts, not one message per crash.
    incident: {
      role: "event",
      key: `task:${revision}:${stop.kind}`,
      state: stop.kind === "crashed" ? `exit ${stop.exitCode ?? "?"}` : stop.kind,
      // ECS tries to replace a crashed task by itself; the third crash of one revision in a row is a loop it will not end.
      ...(stop.kind === "crashed" ? { loopAt: CRASH_LOOP_AT } : {}),
    },
  };
  return { kind: "message", message };
}

/**
 * An operator shell opened or closed: on-call sees every shell next to the
 * stage's data, with who started it (as `npm run ops -- shell` records it in
 * startedBy; anything else started it by hand) and how to end it.
 */
function readShellTask(envelope: Envelope, context: NotifyContext, task: TaskDetail): Normalized {
  if (task.lastStatus !== "RUNNING" && task.lastStatus !== "STOPPED")
    return { kind: "ignored", reason: `operator shell task is ${task.lastStatus}` };
  const taskId = task.taskArn.split("/").at(-1) ?? task.taskArn;
  const cluster = task.clusterArn.split("/").at(-1) ?? context.clusterName;
  const who = task.startedBy?.startsWith(SHELL_STARTED_BY_PREFIX)
    ? task.startedBy.slice(SHELL_STARTED_BY_PREFIX.length)
    : `not recorded (started ${task.startedBy ? `by "${task.startedBy}"` : "without npm run ops -- shell"}; CloudTrail's RunTask names the caller)`;
  const opened = task.lastStatus === "RUNNING";
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "task"),
    severity: opened ? "warning" : "info",
    title: opened ? `Operator shell opened on ${context.stage}` : `Operator shell on ${context.stage} ended`,
    summary: opened
      ? "A one-off task of the service's image, with its database access, is running for an ECS Exec session. Sessions are encrypted and logged; the task ends itself at the stage's session limit."
      : `The shell task stopped${task.stoppedReason ? `: ${task.stoppedReason}` : ""}.`,
    facts: [
      { label: "Opened by", value: who.slice(0, 2000) },
      { label: "Task", value: taskId },
    ],
    actionsTaken: [],
    nextStep: opened ? `If nobody on the team opened it, end it now: aws ecs stop-task --cluster ${cluster} --task ${taskId}` : null,
    links: [ecsTaskLink(envelope.region, cluster, taskId)],
  };
  return { kind: "message", message };
}
