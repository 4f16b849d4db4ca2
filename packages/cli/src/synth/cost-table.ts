import { type CostEstimate, estimateMonthlyCost, schedulePrices } from "@hands-off-ops/core/cost/estimate";
import { findPriceTable, PRICE_TABLES, PRICES_COMMAND, priceTable } from "@hands-off-ops/core/cost/prices/index";
import { asleepHoursPerMonth } from "@hands-off-ops/core/schedule/asleep-hours";
import type { StageSettings } from "../../../../stacks/config";
import { inventoryOf } from "./cost-inventory";

/** The first day of next month (UTC): the year of sleep hours averaged starts there, so a month's output is stable. */
export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** A stage whose region has no price table: it still synthesizes, and its cost section says why there is no figure. */
export interface CostNotEstimated {
  notEstimated: true;
  region: string;
  /** The regions that have a table. */
  tables: string[];
  command: string;
}

export function stageCost(result: Parameters<typeof inventoryOf>[0], settings: StageSettings, now: Date): CostEstimate | CostNotEstimated {
  const prices = findPriceTable(settings.region);
  if (!prices)
    return { notEstimated: true, region: settings.region, tables: Object.keys(PRICE_TABLES), command: PRICES_COMMAND(settings.region) };
  return estimateMonthlyCost({
    inventory: inventoryOf(result),
    prices,
    assumptions: settings.cost,
    minTasks: settings.service.minTasks,
    asleepHoursPerMonth: settings.schedule.enabled ? asleepHoursPerMonth(settings.schedule, nextMonthStart(now)) : null,
  });
}

const usd = (amount: number) => `$${amount.toFixed(2)}`;

/** One stage's table, Infracost-like: an item per line with how it is made, per month, then the assumptions. */
export function costTable(stage: string, estimate: CostEstimate | CostNotEstimated, settings: StageSettings): string {
  if ("notEstimated" in estimate) return notEstimatedSection(stage, estimate, settings);
  const width = Math.max(...estimate.lines.map((l) => l.item.length), 24);
  const basisWidth = Math.max(...estimate.lines.map((l) => l.basis.length), 10);
  const lines = [
    `Monthly cost of stage ${stage} (${estimate.region}, on-demand, ${estimate.currency}; prices checked ${estimate.pricesChecked})`,
    `  ${"Item".padEnd(width)}  ${"Basis".padEnd(basisWidth)}  ${"Per month".padStart(10)}`,
    ...estimate.lines.map((l) => `  ${l.item.padEnd(width)}  ${l.basis.padEnd(basisWidth)}  ${usd(l.monthly).padStart(10)}`),
    `  ${"Total, awake all month".padEnd(width)}  ${"".padEnd(basisWidth)}  ${usd(estimate.total).padStart(10)}`,
  ];
  if (estimate.sleepSaving) {
    const { hours, monthly } = estimate.sleepSaving;
    const what = settings.database.enabled ? "tasks and database instance hours" : "task hours";
    lines.push(
      `  ${"Saved by the sleep schedule".padEnd(width)}  ${`${hours.toFixed(0)} h asleep/month: ${what}`.padEnd(basisWidth)}  ${`-${usd(monthly)}`.padStart(10)}`,
      `  ${"Total with the schedule".padEnd(width)}  ${"".padEnd(basisWidth)}  ${usd(estimate.total - monthly).padStart(10)}`,
    );
  }
  const a = settings.cost;
  const table = schedulePrices(priceTable(estimate.region), settings.database.instanceType);
  const own = settings.schedule.prices;
  if (
    settings.schedule.enabled &&
    (own.fargateVcpuHour !== table.fargateVcpuHour ||
      own.fargateGbHour !== table.fargateGbHour ||
      own.databaseInstanceHour !== table.databaseInstanceHour)
  )
    lines.push(
      `  Note: the schedule's prices in the settings (${own.fargateVcpuHour}/vCPU-h, ${own.fargateGbHour}/GB-h, ${own.databaseInstanceHour}/db-h) differ from this table (${table.fargateVcpuHour}, ${table.fargateGbHour}, ${table.databaseInstanceHour}): its sleep notices will state other savings.`,
    );
  lines.push(
    `  Assumes (settings "cost"): ${a.requestsPerMonthMillions} M requests/month, ${a.albLcuPerHour} LCU/h, ${a.natProcessedGbPerMonth} GB through NAT, ` +
      `${a.logsIngestedGbPerMonth} GB logs, ${a.typicalTasks ?? `${settings.service.minTasks} (minimum)`} tasks, ` +
      `${a.lambdaInvocationsPerMonth.toLocaleString("en-US")} Lambda invocations of ${a.lambdaAverageSeconds} s.`,
    "  Not counted: data transfer out to the internet (the first 100 GB/month of an account are free), S3 access logs, ECR images, free tiers, the Slack buttons' HTTP API (about $1 per million presses).",
  );
  return lines.join("\n");
}

function notEstimatedSection(stage: string, missing: CostNotEstimated, settings: StageSettings): string {
  const own = settings.schedule.prices;
  return [
    `Monthly cost of stage ${stage} (${missing.region}): not estimated`,
    `  Why: there is no price table for ${missing.region} (the tables there are: ${missing.tables.join(", ")}), and a region is never priced from another region's figures.`,
    `  To get one: ${missing.command} writes packages/core/src/cost/prices/${missing.region}.ts from AWS's published price list; then synth again.`,
    ...(settings.schedule.enabled
      ? [
          `  The schedule's sleep notices state savings at the prices in the settings (schedule.prices: ${own.fargateVcpuHour}/vCPU-h, ${own.fargateGbHour}/GB-h, ${own.databaseInstanceHour}/db-h), which no table for ${missing.region} can check: compare them with ${missing.region}'s prices.`,
        ]
      : []),
  ].join("\n");
}
