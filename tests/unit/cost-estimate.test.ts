import { estimateMonthlyCost, type StageInventory, schedulePrices } from "@hands-off-ops/core/cost/estimate";
import { EU_CENTRAL_1 } from "@hands-off-ops/core/cost/prices/eu-central-1";
import { priceTable } from "@hands-off-ops/core/cost/prices/index";
import { asleepHoursPerMonth } from "@hands-off-ops/core/schedule/asleep-hours";
import { savedBetween } from "@hands-off-ops/core/schedule/savings";
import type { CostAssumptions } from "@hands-off-ops/core/settings/schema";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";

const PROD_DATABASE = { instanceClass: "m7g.large", multiAz: true, storageGb: 50, performanceInsights: true };
const PROD_LIKE: StageInventory = {
  natGateways: 3,
  publicIpv4: 6,
  loadBalancers: 1,
  interfaceEndpointAzs: 12,
  webAcls: 1,
  wafRules: 6,
  alarms: 12,
  dashboards: 1,
  canaryRunsPerMonth: [43_800],
  secrets: 2,
  kmsKeys: 1,
  dynamoTables: 1,
  lambdaMemoryMb: [256, 256],
  database: PROD_DATABASE,
  task: { vcpu: 0.5, memoryGb: 1 },
  architecture: "ARM64",
  workers: [],
};
const ASSUMPTIONS: CostAssumptions = {
  requestsPerMonthMillions: 30,
  albLcuPerHour: 1,
  natProcessedGbPerMonth: 50,
  logsIngestedGbPerMonth: 20,
  typicalTasks: null,
  lambdaInvocationsPerMonth: 100_000,
  lambdaAverageSeconds: 0.5,
};
const estimate = (inventory = PROD_LIKE, asleep: number | null = null, assumptions = ASSUMPTIONS) =>
  estimateMonthlyCost({ inventory, prices: EU_CENTRAL_1, assumptions, minTasks: 2, asleepHoursPerMonth: asleep });
const line = (result: ReturnType<typeof estimate>, item: string) => result.lines.find((l) => l.item.startsWith(item));

describe("the monthly cost estimate", () => {
  // Each figure below is worked out by hand from the eu-central-1 table, 730 hours a month.
  it.each([
    ["Fargate tasks", 2 * (0.5 * 0.03725 + 1 * 0.00409) * 730], // 33.16
    ["NAT gateways", 3 * 0.052 * 730 + 50 * 0.052], // 116.48
    ["Public IPv4", 6 * 0.005 * 730], // 21.90
    ["Application Load Balancer", 0.027 * 730 + 1 * 0.008 * 730], // 25.55
    ["RDS PostgreSQL db.m7g.large Multi-AZ", 2 * 0.199 * 730], // 290.54
    ["RDS storage", 50 * 2 * 0.137], // 13.70
    ["WAF", 5 + 6 * 1 + 30 * 0.6], // 29.00
    ["VPC interface endpoints", 12 * 0.012 * 730], // 105.12
    ["CloudWatch", 12 * 0.1 + 3 + 20 * 0.63], // 16.80
    ["CloudWatch Synthetics", 43_800 * 0.0012], // 52.56: a run every minute, 730 h
  ])("%s: %f", (item, expected) => {
    expect(line(estimate(), item)?.monthly).toBeCloseTo(expected, 6);
  });

  it("gives each worker its own line, at its own size and minimum, and says what an x86_64 service is priced at", () => {
    const result = estimate({
      ...PROD_LIKE,
      architecture: "X86_64",
      workers: [{ name: "worker", vcpu: 0.25, memoryGb: 0.5, minTasks: 1, architecture: "ARM64" }],
    });
    expect(line(result, "Fargate tasks, public service (x86_64 at the ARM price)")?.monthly).toBeCloseTo(
      2 * (0.5 * 0.03725 + 0.00409) * 730,
      6,
    );
    expect(line(result, "Fargate tasks, worker (ARM)")).toEqual({
      item: "Fargate tasks, worker (ARM)",
      basis: "1 × (0.25 vCPU + 0.5 GB) × 730 h (its minimum)",
      monthly: expect.closeTo(1 * (0.25 * 0.03725 + 0.5 * 0.00409) * 730, 6),
    });
    expect(line(estimate(), "Fargate tasks")?.item).toBe("Fargate tasks (ARM)");
  });

  it("adds up its lines, and counts typical tasks instead of the minimum when the settings give them", () => {
    const result = estimate();
    expect(result.total).toBeCloseTo(
      result.lines.reduce((t, l) => t + l.monthly, 0),
      9,
    );
    const busier = estimate(PROD_LIKE, null, { ...ASSUMPTIONS, typicalTasks: 4 });
    expect(line(busier, "Fargate tasks")?.monthly).toBeCloseTo(4 * (0.5 * 0.03725 + 0.00409) * 730, 6);
    expect(line(busier, "Fargate tasks")?.basis).toBe("4 × (0.5 vCPU + 1 GB) × 730 h");
  });

  it("names what it cannot price instead of guessing", () => {
    expect(() => estimate({ ...PROD_LIKE, database: { ...PROD_DATABASE, instanceClass: "r8g.24xlarge" } })).toThrow(
      "The eu-central-1 price table has no price for db.r8g.24xlarge",
    );
    expect(() => priceTable("ap-south-2")).toThrow(
      /No price table for ap-south-2 \(there are: eu-central-1, us-east-1\)\. Add packages\/core\/src\/cost\/prices\/ap-south-2\.ts/,
    );
  });

  it("leaves out what a stage does not have (no NAT gateway, no endpoint, no database)", () => {
    const bare = estimate({ ...PROD_LIKE, natGateways: 0, interfaceEndpointAzs: 0, database: null });
    expect(bare.lines.map((l) => l.item)).not.toContain("NAT gateways");
    expect(bare.lines.some((l) => l.item.startsWith("RDS"))).toBe(false);
    expect(line(bare, "VPC interface endpoints")).toBeUndefined();
    expect(line(estimate({ ...PROD_LIKE, canaryRunsPerMonth: [] }), "CloudWatch Synthetics")).toBeUndefined();
  });
});

describe("the sleep saving agrees with the schedule", () => {
  it("counts the hours asleep by the schedule's own calendar: 52 weeks of 110.5 h and a Monday night, a twelfth", () => {
    const schedule = { ...stageSettings("dev").schedule, holidays: null, closedDates: [] };
    // 2027-01-04 is a Monday; 365 days later is a Monday again: 52 × (168 − 5 × 11.5) + 12.5 hours.
    expect(asleepHoursPerMonth(schedule, new Date("2027-01-03T23:00:00Z"))).toBeCloseTo((52 * 110.5 + 12.5) / 12, 6);
  });

  it("gives, for the same hours, what the schedule's sleep notice states (same prices, same formula)", () => {
    const dev = stageSettings("dev");
    const inventory = {
      ...PROD_LIKE,
      task: { vcpu: dev.service.cpu / 1024, memoryGb: dev.service.memoryMiB / 1024 },
      database: { ...PROD_DATABASE, instanceClass: dev.database.instanceType, multiAz: false },
    };
    const hours = 100;
    const fromTable = estimateMonthlyCost({
      inventory,
      prices: priceTable(dev.region),
      assumptions: dev.cost,
      minTasks: dev.service.minTasks,
      asleepHoursPerMonth: hours,
    });
    const from = new Date("2027-01-04T18:00:00Z");
    const noticed = savedBetween(
      {
        capacity: { minCapacity: 1, maxCapacity: 2, desiredCount: dev.service.minTasks },
        database: "available",
        sleptAt: from.toISOString(),
      },
      from,
      new Date(from.getTime() + hours * 3_600_000),
      { task: inventory.task, databaseInstances: 1, prices: dev.schedule.prices },
    );
    expect(fromTable.sleepSaving?.monthly).toBeCloseTo(noticed, 9);
    expect(noticed).toBeCloseTo(hours * (0.25 * 0.03725 + 0.5 * 0.00409 + 0.019), 9);
  });

  it("counts a worker's night hours as saved too, at its size and minimum, as the schedule's notices do", () => {
    const worker = { name: "queue", vcpu: 0.5, memoryGb: 1, minTasks: 2, architecture: "ARM64" as const };
    const without = estimate({ ...PROD_LIKE, database: null }, 100);
    const withWorker = estimate({ ...PROD_LIKE, database: null, workers: [worker] }, 100);
    expect((withWorker.sleepSaving?.monthly ?? 0) - (without.sleepSaving?.monthly ?? 0)).toBeCloseTo(
      100 * 2 * (0.5 * 0.03725 + 1 * 0.00409),
      9,
    );
    const noticed = savedBetween(
      {
        capacity: { desiredCount: 2, minCapacity: 2, maxCapacity: 2 },
        workers: { queue: { desiredCount: 2, minCapacity: 2, maxCapacity: 4 } },
        database: "none",
        sleptAt: "2027-01-04T18:00:00Z",
      },
      new Date("2027-01-04T18:00:00Z"),
      new Date("2027-01-08T22:00:00Z"),
      { task: PROD_LIKE.task, workers: { queue: worker }, databaseInstances: 0, prices: schedulePrices(EU_CENTRAL_1, undefined) },
    );
    expect(withWorker.sleepSaving?.monthly).toBeCloseTo(noticed, 9);
  });
});
