/**
 * npm run prices -- --region <region> [--offers <dir>] [--prices-dir <dir>]
 *
 * Writes packages/core/src/cost/prices/<region>.ts from AWS's published price list (the Bulk API's offer files,
 * public, no credentials; --offers: files downloaded beforehand) and registers it in prices/index.ts. Exits 1
 * naming every figure it could not find, and writes nothing then.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  fieldName,
  type Offers,
  priceSources,
  priceTableFromOffers,
  type ReadTable,
  SERVICES,
  type ServiceCode,
} from "@hands-off-ops/core/cost/price-sources";
import { PRICE_TABLES } from "@hands-off-ops/core/cost/prices/index";
import { registerTable, tableModule } from "@hands-off-ops/core/cost/table-source";
import { OFFER_INDEX_URL, type OfferSource, OfferSourceError, offersFromPriceList, offersInDirectory } from "./offer-source";

const USAGE = "usage: npm run prices -- --region <region> [--offers <dir of offer files: <ServiceCode>.json>] [--prices-dir <dir>]";
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Every table holds the same classes, so that a stage can move region without losing its database's price. */
const POSTGRES_CLASSES = [...new Set(Object.values(PRICE_TABLES).flatMap((t) => Object.keys(t.postgresInstanceHour)))];

export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const region = values.region;
  if (!region || !REGION.test(region)) {
    console.error(`${region ? `"${region}" is not a region code such as eu-west-1.` : "--region is required."}\n${USAGE}`);
    return 2;
  }
  const pricesDir = path.resolve(values["prices-dir"] ?? "packages/core/src/cost/prices");
  const source = values.offers ? offersInDirectory(path.resolve(values.offers)) : offersFromPriceList(region);
  let read: ReadTable;
  try {
    read = await readTable(region, source, (from) =>
      values.offers
        ? `AWS Price List offer files for ${region}, on-demand, downloaded from ${OFFER_INDEX_URL}: ${from.map((f) => path.basename(f)).join(", ")}`
        : `AWS Price List offer files for ${region}, on-demand: ${from.join(", ")}`,
    );
  } catch (error) {
    if (!(error instanceof OfferSourceError)) throw error;
    console.error(error.message);
    return 1;
  }
  if ("missing" in read) {
    console.error(
      `No table written for ${region}: ${read.missing.length} figure(s) not found in the offer files:\n${read.missing.map((m) => `  - ${m}`).join("\n")}`,
    );
    return 1;
  }
  const file = path.join(pricesDir, `${region}.ts`);
  const index = path.join(pricesDir, "index.ts");
  writeFileSync(file, tableModule(read.table));
  if (existsSync(index)) writeFileSync(index, registerTable(readFileSync(index, "utf8"), region));
  const t = read.table;
  console.log(
    `Wrote ${path.relative(process.cwd(), file)} (offer files published ${t.checked}) and registered it in ${path.relative(process.cwd(), index)}.`,
  );
  console.log(
    `For stages in ${region}, the schedule's prices in the settings (schedule.prices) would be: fargateVcpuHour ${t.fargate.vcpuHour}, ` +
      `fargateGbHour ${t.fargate.gbHour}, databaseInstanceHour ${Object.entries(t.postgresInstanceHour)
        .map(([c, p]) => `${p} (db.${c})`)
        .join(", ")}.`,
  );
  return 0;
}

/**
 * Each service's regional file; a service's all-regions file only when a product billed per account (CloudWatch
 * dashboards) is not in its regional one.
 */
async function readTable(region: string, source: OfferSource, describe: (from: string[]) => string): Promise<ReadTable> {
  const offers: Offers = { regional: {}, global: {} };
  const from: string[] = [];
  const add = (into: Offers["regional"], service: ServiceCode, found: Awaited<ReturnType<OfferSource["regional"]>>) => {
    if (!found) return;
    into[service] = found.offer;
    from.push(found.from);
  };
  for (const service of SERVICES) add(offers.regional, service, await source.regional(service));
  const first = priceTableFromOffers(region, offers, POSTGRES_CLASSES, describe(from));
  const lacking = priceSources(POSTGRES_CLASSES).filter(
    (s) => s.global && "missing" in first && first.missing.some((m) => m.startsWith(`${fieldName(s.field)}:`)),
  );
  if (lacking.length === 0) return first;
  for (const service of new Set(lacking.map((s) => s.service))) add(offers.global ?? {}, service, await source.global(service));
  return priceTableFromOffers(region, offers, POSTGRES_CLASSES, describe(from));
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { region: { type: "string" }, offers: { type: "string" }, "prices-dir": { type: "string" } },
    allowPositionals: false,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
