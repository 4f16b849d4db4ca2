import * as z from "../zod";
import { jsonVariable } from "./environment";

/**
 * The stage's workers (its services that are not public, settings `services`) as the notify and rollback functions
 * are told of them: each worker's name, its ECS service's name, and the alarms (full names) that are its own, which
 * ECS's deployment alarms watch for its rolling deployments (stacks/workers.ts). One contract: the stacks write it
 * (stacks/lambda-environment.ts workersVariable), both functions read it with this schema.
 */
export const StageWorker = z.strictObject({
  name: z.string().check(z.minLength(1)),
  /** The worker's ECS service, as its events name it (`service:<name>` in a task's group, the last part of its ARN). */
  ecsService: z.string().check(z.minLength(1)),
  /** Its own alarms: ECS rolls a deployment of the worker back when one of them fires during it. */
  alarms: z.array(z.string().check(z.minLength(1))),
});
export type StageWorker = z.infer<typeof StageWorker>;

/** The WORKERS variable: JSON, an empty list where the stage runs no worker (or the stack wrote none). */
export const WorkersVariable = z._default(z.pipe(jsonVariable, z.array(StageWorker)), []);

/** The worker an alarm (full name) is the own alarm of, or undefined: the public service's, or the stage's. Pure. */
export function workerOfAlarm(workers: readonly StageWorker[], alarmName: string): StageWorker | undefined {
  return workers.find((worker) => worker.alarms.includes(alarmName));
}

/** The worker an ECS service name (or a service ARN, its last part) is, or undefined: the public service. Pure. */
export function workerOfService(workers: readonly StageWorker[], service: string): StageWorker | undefined {
  const name = service.split("/").at(-1) ?? service;
  return workers.find((worker) => worker.ecsService === name);
}
