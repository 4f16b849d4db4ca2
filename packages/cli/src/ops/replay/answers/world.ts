import type { Capacity } from "@hands-off-ops/core/schedule/plan";
import type { AlarmChange } from "../alarm-history";
import type { Scenario } from "../scenario";
import type { Table } from "./dynamodb";

/**
 * What the answers answer from: the scenario (the world as it was when the story starts), the state table every
 * function of one story shares, and what the functions sent (their notices, e-mails and Slack posts), which the
 * console shows and hands on (a notice reaches the notifier).
 */
export interface World {
  scenario: Scenario;
  stage: string;
  region: string;
  account: string;
  cluster: string;
  service: string;
  /** The replay's clock: when the function runs. */
  now: () => Date;
  table: Table;
  /** The alarms' changes raised by then, which DescribeAlarms answers from. */
  alarms: AlarmChange[];
  /** The service's capacity while the story runs (the schedule scales it); its default is the stage's. */
  capacity: Capacity;
  /** Each worker's capacity, by its stand-in ECS service name (route.ts workerStandIns): its minTasks, 0 asleep. */
  workers: Record<string, Capacity>;
  sent: Sent;
}

export interface Sent {
  /** The entries put on the default bus, in order (the automation's notices, approval requests). */
  events: { Source?: string; DetailType?: string; Detail?: string }[];
  emails: { subject: string; body: string }[];
}

export const arnOf = (world: Pick<World, "region" | "account">, service: string, resource: string) =>
  `arn:aws:${service}:${world.region}:${world.account}:${resource}`;

/** The capacity of the ECS service named (a worker's stand-in, else the public service). */
export const capacityOf = (world: World, service: string | undefined): Capacity =>
  (service !== undefined && world.workers[service]) || world.capacity;

/** Sets the capacity of the ECS service named, as ECS and Application Auto Scaling keep it. */
export function setCapacity(world: World, service: string | undefined, change: Partial<Capacity>): Capacity {
  const next = { ...capacityOf(world, service), ...change };
  if (service !== undefined && world.workers[service]) world.workers[service] = next;
  else world.capacity = next;
  return next;
}
