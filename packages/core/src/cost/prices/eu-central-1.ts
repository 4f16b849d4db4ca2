import { PRICING_PAGES, type PriceTable } from "../price-table";

export const EU_CENTRAL_1: PriceTable = {
  region: "eu-central-1",
  currency: "USD",
  source: `AWS pricing pages for Europe (Frankfurt), on-demand: ${PRICING_PAGES}`,
  // Written where there is no network: compare each figure with its page before relying on it, then update the date.
  checked: "2026-11",
  fargate: { vcpuHour: 0.03725, gbHour: 0.00409 },
  natGateway: { hour: 0.052, gbProcessed: 0.052 },
  publicIpv4Hour: 0.005,
  alb: { hour: 0.027, lcuHour: 0.008 },
  postgresInstanceHour: { "t4g.micro": 0.019, "t4g.small": 0.038, "t4g.medium": 0.076, "m7g.large": 0.199, "m7g.xlarge": 0.398 },
  postgresStorageGbMonth: 0.137,
  backupGbMonth: 0.095,
  waf: { webAclMonth: 5, ruleMonth: 1, perMillionRequests: 0.6 },
  interfaceEndpoint: { hourPerAz: 0.012, gbProcessed: 0.01 },
  cloudwatch: { alarmMonth: 0.1, dashboardMonth: 3, logsIngestedGb: 0.63, logsStoredGbMonth: 0.0324, syntheticsRun: 0.0012 },
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  dynamodb: { perMillionWrites: 0.7625, perMillionReads: 0.1525, storageGbMonth: 0.306 },
  lambda: { arm64GbSecond: 0.0000133334, perMillionRequests: 0.2 },
};
