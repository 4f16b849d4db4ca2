import type { PriceTable } from "../price-table";
import { EU_CENTRAL_1 } from "./eu-central-1";
import { US_EAST_1 } from "./us-east-1";

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { "eu-central-1": EU_CENTRAL_1, "us-east-1": US_EAST_1 };

export class NoPriceTable extends Error {
  override name = "NoPriceTable";
}

export function priceTable(region: string): PriceTable {
  const table = PRICE_TABLES[region];
  if (!table)
    throw new NoPriceTable(
      `No price table for ${region} (there are: ${Object.keys(PRICE_TABLES).join(", ")}). Add packages/core/src/cost/prices/${region}.ts from AWS's pricing pages, with its source and date.`,
    );
  return table;
}
