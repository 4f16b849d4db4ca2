import type { ScheduleSettings } from "../settings/schema";
import type { SleepRecord } from "./plan";

/**
 * The money a sleeping stage does not spend: its Fargate tasks (vCPU and
 * memory hours) and its database instance hours, at the settings' prices.
 * Storage, the load balancer and NAT gateways keep costing while it sleeps:
 * the estimate leaves them out rather than overstate the saving.
 */

export type Prices = ScheduleSettings["prices"];

export interface StageCost {
  task: { vcpu: number; memoryGb: number };
  /** 2 for a Multi-AZ database (a standby is billed as an instance), else 1. */
  databaseInstances: number;
  prices: Prices;
}

/** What the stage recorded at sleep costs per hour while awake. */
export function hourlyCost(
  record: { capacity: Pick<SleepRecord["capacity"], "desiredCount">; database: SleepRecord["database"] },
  cost: StageCost,
): number {
  const { task, prices } = cost;
  const tasks = record.capacity.desiredCount * (task.vcpu * prices.fargateVcpuHour + task.memoryGb * prices.fargateGbHour);
  const database = record.database === "available" ? cost.databaseInstances * prices.databaseInstanceHour : 0;
  return tasks + database;
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
