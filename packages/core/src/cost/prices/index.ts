import type { PriceTable } from "../price-table";
import { EU_CENTRAL_1 } from "./eu-central-1";
import { US_EAST_1 } from "./us-east-1";

// `npm run prices -- --region <region>` adds a table's import above and its entry below: keep one entry per region.
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { "eu-central-1": EU_CENTRAL_1, "us-east-1": US_EAST_1 };

/** The command that writes a region's table from AWS's published price list. */
export const PRICES_COMMAND = (region: string) => `npm run prices -- --region ${region}`;

export class NoPriceTable extends Error {
  override name = "NoPriceTable";
}

/** Why a region has no estimate, and how to get one: said the same way by the refusal and by synth's cost section. */
export function noPriceTableReason(region: string): string {
  return `No price table for ${region} (there are: ${Object.keys(PRICE_TABLES).join(", ")}). Add packages/core/src/cost/prices/${region}.ts: \`${PRICES_COMMAND(region)}\` writes it from AWS's published price list, with its source and date.`;
}

/** The region's table, or undefined: a region is never priced from another region's table. */
export function findPriceTable(region: string): PriceTable | undefined {
  return Object.hasOwn(PRICE_TABLES, region) ? PRICE_TABLES[region] : undefined;
}

export function priceTable(region: string): PriceTable {
  const table = findPriceTable(region);
  if (!table) throw new NoPriceTable(noPriceTableReason(region));
  return table;
}
