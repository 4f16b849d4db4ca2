import { type Found, isUsageType, type OfferFile, onDemandPrice } from "./offer-file";
import type { PriceTable } from "./price-table";

/** The Price List's service codes (offer codes) the table's figures come from. */
export const SERVICES = [
  "AmazonECS",
  "AmazonEC2",
  "AmazonVPC",
  "AWSELB",
  "AmazonRDS",
  "awswaf",
  "AmazonCloudWatch",
  "AWSSecretsManager",
  "awskms",
  "AmazonDynamoDB",
  "AWSLambda",
] as const;
export type ServiceCode = (typeof SERVICES)[number];

/** Where one PriceTable figure is in the offer files: a product by its usage type (without the region prefix). */
export interface PriceSource {
  field: (string | number)[];
  service: ServiceCode;
  usagetype: string;
  productFamily?: string;
  attributes?: Record<string, string>;
  /** The unit the offer file prices it in, and how many of those make the table's unit (a million requests: 1e6). */
  unit: RegExp;
  per: number;
  /** Billed per account, not per region: may be in the service's all-regions file only. */
  global?: boolean;
}

const HOUR = /(^|-)(hrs?|hours?)$/i;
const GB = /^GB$/i;
const GB_MONTH = /^GB-Mo(nth)?s?$/i;
const MONTHLY = /^(mo|months?|secrets?|keys?|alarms?|dashboards?)$/i;
const REQUEST = /^(requests?|(read|write)requestunits)$/i;

const postgres = (instanceClass: string): PriceSource => ({
  field: ["postgresInstanceHour", instanceClass],
  service: "AmazonRDS",
  usagetype: `InstanceUsage:db.${instanceClass}`,
  productFamily: "Database Instance",
  // Single-AZ: the estimate doubles it for Multi-AZ. "Multi-AZ (readable standbys)" is a cluster, not our instance.
  attributes: { instanceType: `db.${instanceClass}`, databaseEngine: "PostgreSQL", deploymentOption: "Single-AZ" },
  unit: HOUR,
  per: 1,
});

/**
 * Every figure of a PriceTable, in its order. Usage types as AWS bills them (Cost and Usage Report, offer files):
 * Fargate on ARM (the tasks run on Graviton) is `Fargate-ARM-vCPU-Hours:perCPU` / `Fargate-ARM-GB-Hours`; the
 * x86 ones without `-ARM` are not ours; Lambda's arm64 figures end in `-ARM`.
 */
export function priceSources(postgresClasses: readonly string[]): PriceSource[] {
  return [
    { field: ["fargate", "vcpuHour"], service: "AmazonECS", usagetype: "Fargate-ARM-vCPU-Hours:perCPU", unit: HOUR, per: 1 },
    { field: ["fargate", "gbHour"], service: "AmazonECS", usagetype: "Fargate-ARM-GB-Hours", unit: HOUR, per: 1 },
    {
      field: ["natGateway", "hour"],
      service: "AmazonEC2",
      usagetype: "NatGateway-Hours",
      productFamily: "NAT Gateway",
      unit: HOUR,
      per: 1,
    },
    {
      field: ["natGateway", "gbProcessed"],
      service: "AmazonEC2",
      usagetype: "NatGateway-Bytes",
      productFamily: "NAT Gateway",
      unit: GB,
      per: 1,
    },
    { field: ["publicIpv4Hour"], service: "AmazonVPC", usagetype: "PublicIPv4:InUseAddress", unit: HOUR, per: 1 },
    {
      field: ["alb", "hour"],
      service: "AWSELB",
      usagetype: "LoadBalancerUsage",
      productFamily: "Load Balancer-Application",
      unit: HOUR,
      per: 1,
    },
    { field: ["alb", "lcuHour"], service: "AWSELB", usagetype: "LCUUsage", productFamily: "Load Balancer-Application", unit: HOUR, per: 1 },
    ...postgresClasses.map(postgres),
    {
      field: ["postgresStorageGbMonth"],
      service: "AmazonRDS",
      usagetype: "RDS:GP3-Storage",
      productFamily: "Database Storage",
      attributes: { volumeType: "General Purpose-GP3", databaseEngine: "PostgreSQL", deploymentOption: "Single-AZ" },
      unit: GB_MONTH,
      per: 1,
    },
    {
      field: ["backupGbMonth"],
      service: "AmazonRDS",
      usagetype: "RDS:ChargedBackupUsage",
      productFamily: "Storage Snapshot",
      unit: GB_MONTH,
      per: 1,
    },
    // WAF (v2, the one CfnWebACL makes): web ACL and rule per month, requests at the base inspection tier.
    { field: ["waf", "webAclMonth"], service: "awswaf", usagetype: "WebACLV2", unit: MONTHLY, per: 1 },
    { field: ["waf", "ruleMonth"], service: "awswaf", usagetype: "RuleV2", unit: MONTHLY, per: 1 },
    { field: ["waf", "perMillionRequests"], service: "awswaf", usagetype: "RequestV2-Tier1", unit: REQUEST, per: 1e6 },
    {
      field: ["interfaceEndpoint", "hourPerAz"],
      service: "AmazonVPC",
      usagetype: "VpcEndpoint-Hours",
      productFamily: "VpcEndpoint",
      unit: HOUR,
      per: 1,
    },
    {
      field: ["interfaceEndpoint", "gbProcessed"],
      service: "AmazonVPC",
      usagetype: "VpcEndpoint-Bytes",
      productFamily: "VpcEndpoint",
      unit: GB,
      per: 1,
    },
    { field: ["cloudwatch", "alarmMonth"], service: "AmazonCloudWatch", usagetype: "CW:AlarmMonitorUsage", unit: MONTHLY, per: 1 },
    {
      field: ["cloudwatch", "dashboardMonth"],
      service: "AmazonCloudWatch",
      usagetype: "DashboardsUsageHour",
      unit: MONTHLY,
      per: 1,
      global: true,
    },
    { field: ["cloudwatch", "logsIngestedGb"], service: "AmazonCloudWatch", usagetype: "DataProcessing-Bytes", unit: GB, per: 1 },
    { field: ["cloudwatch", "logsStoredGbMonth"], service: "AmazonCloudWatch", usagetype: "TimedStorage-ByteHrs", unit: GB_MONTH, per: 1 },
    { field: ["cloudwatch", "syntheticsRun"], service: "AmazonCloudWatch", usagetype: "CW:Canary-runs", unit: /runs?$/i, per: 1 },
    { field: ["secretMonth"], service: "AWSSecretsManager", usagetype: "AWSSecretsManager-Secrets", unit: MONTHLY, per: 1 },
    { field: ["kmsKeyMonth"], service: "awskms", usagetype: "KMS-Keys", unit: MONTHLY, per: 1 },
    { field: ["dynamodb", "perMillionWrites"], service: "AmazonDynamoDB", usagetype: "WriteRequestUnits", unit: REQUEST, per: 1e6 },
    { field: ["dynamodb", "perMillionReads"], service: "AmazonDynamoDB", usagetype: "ReadRequestUnits", unit: REQUEST, per: 1e6 },
    {
      field: ["dynamodb", "storageGbMonth"],
      service: "AmazonDynamoDB",
      usagetype: "TimedStorage-ByteHrs",
      attributes: { volumeType: "Amazon DynamoDB - Indexed DataStore" },
      unit: GB_MONTH,
      per: 1,
    },
    { field: ["lambda", "arm64GbSecond"], service: "AWSLambda", usagetype: "Lambda-GB-Second-ARM", unit: /GB-Seconds?$/i, per: 1 },
    { field: ["lambda", "perMillionRequests"], service: "AWSLambda", usagetype: "Request-ARM", unit: REQUEST, per: 1e6 },
  ];
}

export const fieldName = (field: PriceSource["field"]) =>
  field.map((part, i) => (i === 0 ? part : /^[a-zA-Z]\w*$/.test(String(part)) ? `.${part}` : `["${part}"]`)).join("");

/** The offer files of one region, by service; `global`: the all-regions files, for the products billed per account. */
export interface Offers {
  regional: Partial<Record<ServiceCode, OfferFile>>;
  global?: Partial<Record<ServiceCode, OfferFile>>;
}

export type ReadTable = { table: PriceTable } | { missing: string[] };

/**
 * A region's PriceTable from its offer files, or every figure it could not find, each named with where it looked.
 * `checked` is the oldest publicationDate of the files read: no figure is older than that.
 */
export function priceTableFromOffers(region: string, offers: Offers, postgresClasses: readonly string[], source: string): ReadTable {
  const figures: Record<string, unknown> = {};
  const missing: string[] = [];
  const dates: string[] = [];
  for (const s of priceSources(postgresClasses)) {
    const found = find(region, offers, s);
    if ("problem" in found) {
      missing.push(
        `${fieldName(s.field)}: ${s.service} ${s.productFamily ? `"${s.productFamily}" ` : ""}usage type ${s.usagetype}: ${found.problem}`,
      );
      continue;
    }
    if (!s.unit.test(found.unit)) {
      missing.push(
        `${fieldName(s.field)}: ${s.service} ${s.usagetype} is priced per "${found.unit}", not the unit the table holds (${s.unit})`,
      );
      continue;
    }
    dates.push(found.publicationDate);
    set(figures, s.field, round(found.price * s.per));
  }
  if (missing.length) return { missing };
  const checked = dates.sort()[0]?.slice(0, 10) ?? "";
  return { table: { region, currency: "USD", source, checked, ...figures } as PriceTable };
}

type Located = { price: number; unit: string; publicationDate: string } | { problem: string };

function find(region: string, offers: Offers, s: PriceSource): Located {
  const match = (a: Record<string, string>, family: string | undefined) =>
    isUsageType(a.usagetype, s.usagetype, region) &&
    (s.productFamily === undefined || family === s.productFamily) &&
    Object.entries(s.attributes ?? {}).every(([k, v]) => a[k] === v);
  const regional = offers.regional[s.service];
  if (!regional) return { problem: `no ${s.service} offer file for ${region}` };
  const inRegion = withDate(onDemandPrice(regional, region, match), regional);
  if (!("problem" in inRegion) || !s.global) return inRegion;
  const all = offers.global?.[s.service];
  return all ? withDate(onDemandPrice(all, region, match, "global"), all) : inRegion;
}

const withDate = (found: Found, offer: OfferFile): Located =>
  "problem" in found ? found : { ...found, publicationDate: offer.publicationDate };

// Price List figures have up to 10 decimals; times 1e6 they must not pick up binary noise (0.7625000000000001).
const round = (n: number) => Number(n.toPrecision(12));

function set(target: Record<string, unknown>, path: PriceSource["field"], value: number) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[String(path.at(-1))] = value;
}
