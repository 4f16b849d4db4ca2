import type { ScheduleSettings } from "../settings/schema";
import type { SleepRecord } from "./plan";

/**
 * The money a sleeping stage does not spend: its Fargate tasks (vCPU and
 * memory hours: the public service's and each worker's, each at its own
 * size) and its database instance hours, at the settings' prices.
 * Storage, the load balancer and NAT gateways keep costing while it sleeps:
 * the estimate leaves them out rather than overstate the saving.
 */

export type Prices = ScheduleSettings["prices"];

export interface TaskSize {
  vcpu: number;
  memoryGb: number;
}

export interface StageCost {
  /** The public service's task. */
  task: TaskSize;
  /** Each worker's task, by name; absent where the stage has none. */
  workers?: Record<string, TaskSize>;
  /** 2 for a Multi-AZ database (a standby is billed as an instance), else 1. */
  databaseInstances: number;
  prices: Prices;
}

type TaskCount = Pick<SleepRecord["capacity"], "desiredCount">;

/**
 * What the stage recorded at sleep costs per hour while awake. A worker the record names but the cost does not
 * (removed since) is not counted: its size is unknown.
 */
export function hourlyCost(
  record: { capacity: TaskCount; workers?: Record<string, TaskCount>; database: SleepRecord["database"] },
  cost: StageCost,
): number {
  const { prices } = cost;
  const taskHour = (task: TaskSize) => task.vcpu * prices.fargateVcpuHour + task.memoryGb * prices.fargateGbHour;
  const workers = Object.entries(record.workers ?? {}).reduce((sum, [name, { desiredCount }]) => {
    const task = cost.workers?.[name];
    return task ? sum + desiredCount * taskHour(task) : sum;
  }, 0);
  const database = record.database === "available" ? cost.databaseInstances * prices.databaseInstanceHour : 0;
  return record.capacity.desiredCount * taskHour(cost.task) + workers + database;
}

export function savedBetween(record: SleepRecord, from: Date, to: Date, cost: StageCost): number {
  return Math.max(0, hoursBetween(from, to)) * hourlyCost(record, cost);
}

export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 3_600_000;
}

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 2 }).format(amount);
}

export function hours(amount: number): string {
  return `${Number(amount.toFixed(1))} h`;
}
