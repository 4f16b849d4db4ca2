/**
 * On-demand list prices of one region, in the units AWS bills them. One table per region, each with where its
 * figures come from and when they were last compared with that source: prices change, and an estimate that does
 * not say how old it is cannot be trusted.
 */
export interface PriceTable {
  region: string;
  currency: "USD";
  /** Where each figure comes from (AWS's public pricing pages), and the date they were last compared with it. */
  source: string;
  checked: string;
  fargate: { vcpuHour: number; gbHour: number };
  natGateway: { hour: number; gbProcessed: number };
  publicIpv4Hour: number;
  alb: { hour: number; lcuHour: number };
  /** RDS for PostgreSQL, single-AZ instance hours by class (Multi-AZ: twice, the standby is billed too). */
  postgresInstanceHour: Record<string, number>;
  /** gp3 storage per GB-month, single-AZ (Multi-AZ: twice). */
  postgresStorageGbMonth: number;
  /** Backup storage beyond the free share (100 % of the provisioned storage) per GB-month. */
  backupGbMonth: number;
  waf: { webAclMonth: number; ruleMonth: number; perMillionRequests: number };
  interfaceEndpoint: { hourPerAz: number; gbProcessed: number };
  cloudwatch: { alarmMonth: number; dashboardMonth: number; logsIngestedGb: number; logsStoredGbMonth: number; syntheticsRun: number };
  secretMonth: number;
  kmsKeyMonth: number;
  dynamodb: { perMillionWrites: number; perMillionReads: number; storageGbMonth: number };
  lambda: { arm64GbSecond: number; perMillionRequests: number };
}

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/** The pages every table's figures come from, each for its own region. */
export const PRICING_PAGES =
  "aws.amazon.com/fargate/pricing, /vpc/pricing (NAT gateway, public IPv4, PrivateLink), /elasticloadbalancing/pricing, " +
  "/rds/postgresql/pricing, /waf/pricing, /cloudwatch/pricing (Synthetics canary runs too), /secrets-manager/pricing, /kms/pricing, " +
  "/dynamodb/pricing/on-demand, /lambda/pricing";
