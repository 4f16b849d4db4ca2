/**
 * Names that cross stacks as plain strings rather than CloudFormation
 * exports: the deployment group (Service stack) watches alarms created later
 * (Observability stack), and CodeDeploy calls hook functions created later
 * (Automation stack). A string reference creates no export, so neither stack
 * is ever blocked from updating by the other.
 */

/** The SST app name: the middle of every stack name (`<stage>-hands-off-ops-<Stack>`). */
export const APP_NAME = "hands-off-ops";

/** The alarms that stop a release and roll it back while CodeDeploy watches the deployment group. */
export const RELEASE_ALARMS = ["Alb5xxRate", "TargetP99Latency", "UnhealthyHostsBlue", "UnhealthyHostsGreen"] as const;
export type ReleaseAlarm = (typeof RELEASE_ALARMS)[number];

/** The synthetic user's canary (Observability stack), named so that the schedule (Automation stack) can pause it by name. */
export function syntheticUserName(app: AppNaming): string {
  return `${app.stage}-${app.name}-user`;
}

/** The synthetic user's alarm (synthetics.enabled): a release alarm, and critical, where the stage has one. */
export const SYNTHETIC_ALARM = "SyntheticFlow";

/** The release alarms of a stage: the fixed ones, and the synthetic user's where it exists (CodeDeploy stops a release on a missing alarm). */
export function releaseAlarmIds(settings: { synthetics: { enabled: boolean } }): string[] {
  return [...RELEASE_ALARMS, ...(settings.synthetics.enabled ? [SYNTHETIC_ALARM] : [])];
}

/** The alarms that page on-call (critical); every other alarm of the stage is a warning. */
export function criticalAlarmIds(settings: { synthetics: { enabled: boolean }; database: { enabled: boolean } }): string[] {
  return [...releaseAlarmIds(settings), ...(settings.database.enabled ? ["DatabaseFreeStorage"] : [])];
}

/** A worker's constructs' id prefix: WorkerQueue-reader → WorkerQueueReader. */
export function workerConstructId(name: string): string {
  return `Worker${name.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase())}`;
}

/** A worker's alarms (Observability stack): ECS rolls its deployment back when one fires during it. */
export function workerAlarmIds(name: string): [cpu: string, memory: string] {
  const id = workerConstructId(name);
  return [`${id}Cpu`, `${id}Memory`];
}

/** Port of the ALB listener that only the canary hooks use, to reach the new (green) tasks before users do. */
export const TEST_LISTENER_PORT = 9000;

interface AppNaming {
  stage: string;
  name: string;
}

export function alarmName(app: AppNaming, id: string): string {
  return `${app.stage}-${app.name}-${id}`;
}

/** The CodeDeploy application and deployment group of the service: both named after the Service stack. */
export function releaseGroupName(app: AppNaming): string {
  return `${app.stage}-${app.name}-Service`;
}
