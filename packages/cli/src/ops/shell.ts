import { SHELL_STARTED_BY_PREFIX } from "@hands-off-ops/core/notify/sources/ecs-task";

/**
 * npm run ops -- shell --stage <stage> [--run]
 *
 * Opens an operator shell without a bastion: starts the stage's shell task
 * (the service's image, environment and database access, running nothing
 * but a timer; stacks/shell.ts) with ECS Exec on, waits until its agent
 * runs, and prints the `aws ecs execute-command` line — or, with --run and
 * the AWS CLI and Session Manager plugin on PATH, opens the session and
 * stops the task when it ends. The task's startedBy names who opened it:
 * on-call's message says so.
 */

export interface ShellPorts {
  outputs(stackName: string): Promise<Record<string, string>>;
  /** The service's own subnets and security groups: the shell task runs where the service runs. */
  network(cluster: string, serviceArn: string): Promise<{ subnets: string[]; securityGroups: string[] }>;
  /** The caller's ARN (STS GetCallerIdentity). */
  caller(): Promise<string>;
  start(shell: { cluster: string; family: string; subnets: string[]; securityGroups: string[]; startedBy: string }): Promise<string>;
  status(cluster: string, taskArn: string): Promise<{ lastStatus: string; agent: string | null; stoppedReason: string | null }>;
  stop(cluster: string, taskArn: string, reason: string): Promise<void>;
}

export interface ShellTask {
  cluster: string;
  taskArn: string;
  taskId: string;
  command: string[];
}

/** ECS caps startedBy at 36 characters. */
const STARTED_BY_MAX = 36;

/** Who is opening the shell, from the caller's ARN: a user's name, or an assumed role's session name. */
export function startedByOf(callerArn: string): string {
  const name = callerArn.split("/").at(-1) || "unknown";
  return `${SHELL_STARTED_BY_PREFIX}${name}`.slice(0, STARTED_BY_MAX);
}

export async function openShell(
  stage: string,
  region: string,
  ports: ShellPorts,
  wait: { attempts: number; delayMs: number; log(line: string): void },
): Promise<ShellTask> {
  const stackName = `${stage}-hands-off-ops-Service`;
  const outputs = await ports.outputs(stackName);
  const missing = ["ShellTaskDefinition", "ShellCluster", "ServiceArn"].filter((key) => !outputs[key]);
  if (missing.length) throw new Error(`${stackName} has no ${missing.join(", ")} output: deploy the stage with shell.enabled first`);
  const cluster = outputs.ShellCluster as string;
  const [network, caller] = await Promise.all([ports.network(cluster, outputs.ServiceArn as string), ports.caller()]);
  const startedBy = startedByOf(caller);
  const taskArn = await ports.start({ cluster, family: outputs.ShellTaskDefinition as string, ...network, startedBy });
  const taskId = taskArn.split("/").at(-1) ?? taskArn;
  wait.log(`Started shell task ${taskId} on ${cluster} (${startedBy}); on-call is told.`);
  for (let attempt = 0; attempt < wait.attempts; attempt++) {
    const { lastStatus, agent, stoppedReason } = await ports.status(cluster, taskArn);
    if (lastStatus === "STOPPED") throw new Error(`The shell task stopped before it could be used: ${stoppedReason ?? "no reason given"}`);
    // The session can open once ECS Exec's agent in the container runs (ECS reports it as a managed agent).
    if (lastStatus === "RUNNING" && (agent === "RUNNING" || agent === null)) {
      const command = [
        "aws",
        "ecs",
        "execute-command",
        "--region",
        region,
        "--cluster",
        cluster,
        "--task",
        taskId,
        "--container",
        "app",
        "--interactive",
        "--command",
        "/bin/sh",
      ];
      return { cluster, taskArn, taskId, command };
    }
    await new Promise((resolve) => setTimeout(resolve, wait.delayMs));
  }
  await ports.stop(cluster, taskArn, "npm run ops -- shell gave up waiting for it");
  throw new Error(`The shell task did not become ready in time; it was stopped`);
}

/** What to run, when the session is not opened here (no --run, or the tools it needs are missing). */
export function shellInstructions(opened: ShellTask, region: string, sessionMinutes: number, missingTools: string[]): string[] {
  const quoted = opened.command.map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(" ");
  return [
    ...(missingTools.length ? [`Cannot open the session here: ${missingTools.join(" and ")} not on PATH.`] : []),
    "Open the session (sessions are encrypted and logged):",
    `  ${quoted}`,
    `The task ends itself after ${sessionMinutes} min; end it sooner:`,
    `  aws ecs stop-task --region ${region} --cluster ${opened.cluster} --task ${opened.taskId}`,
  ];
}
