import { PRICING_PAGES, type PriceTable } from "../price-table";

export const US_EAST_1: PriceTable = {
  region: "us-east-1",
  currency: "USD",
  source: `AWS pricing pages for US East (N. Virginia), on-demand: ${PRICING_PAGES}`,
  // Written where there is no network: compare each figure with its page before relying on it, then update the date.
  checked: "2026-11",
  fargate: { vcpuHour: 0.03238, gbHour: 0.00356 },
  natGateway: { hour: 0.045, gbProcessed: 0.045 },
  publicIpv4Hour: 0.005,
  alb: { hour: 0.0225, lcuHour: 0.008 },
  postgresInstanceHour: { "t4g.micro": 0.016, "t4g.small": 0.032, "t4g.medium": 0.065, "m7g.large": 0.168, "m7g.xlarge": 0.336 },
  postgresStorageGbMonth: 0.115,
  backupGbMonth: 0.095,
  waf: { webAclMonth: 5, ruleMonth: 1, perMillionRequests: 0.6 },
  interfaceEndpoint: { hourPerAz: 0.01, gbProcessed: 0.01 },
  cloudwatch: { alarmMonth: 0.1, dashboardMonth: 3, logsIngestedGb: 0.5, logsStoredGbMonth: 0.03, syntheticsRun: 0.0012 },
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  dynamodb: { perMillionWrites: 0.625, perMillionReads: 0.125, storageGbMonth: 0.25 },
  lambda: { arm64GbSecond: 0.0000133334, perMillionRequests: 0.2 },
};
