import { hourlyCost } from "../schedule/savings";
import type { CostAssumptions } from "../settings/schema";
import { HOURS_PER_MONTH, type PriceTable } from "./price-table";

/** What a stage's synthesized templates hold that costs money. */
export interface StageInventory {
  natGateways: number;
  /** Public IPv4 addresses: the NAT gateways' Elastic IPs and one per load balancer node (public subnet). */
  publicIpv4: number;
  loadBalancers: number;
  /** Interface VPC endpoints, counted once per availability zone they sit in. */
  interfaceEndpointAzs: number;
  webAcls: number;
  wafRules: number;
  alarms: number;
  dashboards: number;
  /** CloudWatch Synthetics canaries, each with its runs per month (a run every N minutes). */
  canaryRunsPerMonth: number[];
  secrets: number;
  kmsKeys: number;
  dynamoTables: number;
  lambdaMemoryMb: number[];
  database: { instanceClass: string; multiAz: boolean; storageGb: number; performanceInsights: boolean } | null;
  /** The public service's task (the one the stage's minTasks and the sleep schedule count). */
  task: { vcpu: number; memoryGb: number };
  /** The other services (workers): each at its own task size and its minimum count (asleep with the stage, if it sleeps). */
  workers: { name: string; vcpu: number; memoryGb: number; minTasks: number; architecture: "ARM64" | "X86_64" }[];
  architecture: "ARM64" | "X86_64";
}

export interface CostInput {
  inventory: StageInventory;
  prices: PriceTable;
  assumptions: CostAssumptions;
  minTasks: number;
  /** Hours asleep in an average month by the stage's schedule; null when it has none. */
  asleepHoursPerMonth: number | null;
}

export interface CostLine {
  item: string;
  /** How the amount is made, e.g. "3 × 730 h + 50 GB processed". */
  basis: string;
  monthly: number;
}

export interface CostEstimate {
  region: string;
  currency: string;
  lines: CostLine[];
  /** Every line, awake all month. */
  total: number;
  /** What the sleep schedule does not spend (every service's tasks and database instance hours), or null without a schedule. */
  sleepSaving: { hours: number; monthly: number } | null;
  pricesChecked: string;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fixed = (n: number) => Number(n.toFixed(2)).toString();

export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const { inventory: inv, prices: p, assumptions: a } = input;
  const tasks = a.typicalTasks ?? input.minTasks;
  const lines: CostLine[] = [];
  const add = (item: string, basis: string, monthly: number) => {
    if (monthly > 0 || basis.includes("free")) lines.push({ item, basis, monthly });
  };

  const taskHour = (task: { vcpu: number; memoryGb: number }) => task.vcpu * p.fargate.vcpuHour + task.memoryGb * p.fargate.gbHour;
  // The tables hold Graviton (ARM) Fargate prices only: an x86_64 service's line says it is priced at them.
  const platform = (architecture: StageInventory["architecture"]) => (architecture === "ARM64" ? "ARM" : "x86_64 at the ARM price");
  add(
    `Fargate tasks${inv.workers.length ? ", public service" : ""} (${platform(inv.architecture)})`,
    `${tasks} × (${inv.task.vcpu} vCPU + ${inv.task.memoryGb} GB) × ${HOURS_PER_MONTH} h${a.typicalTasks === null ? " (the minimum; scaling out is extra)" : ""}`,
    tasks * taskHour(inv.task) * HOURS_PER_MONTH,
  );
  for (const worker of inv.workers)
    add(
      `Fargate tasks, ${worker.name} (${platform(worker.architecture)})`,
      `${worker.minTasks} × (${worker.vcpu} vCPU + ${worker.memoryGb} GB) × ${HOURS_PER_MONTH} h (its minimum)`,
      worker.minTasks * taskHour(worker) * HOURS_PER_MONTH,
    );
  add(
    "NAT gateways",
    `${inv.natGateways} × ${HOURS_PER_MONTH} h + ${a.natProcessedGbPerMonth} GB processed`,
    inv.natGateways > 0 ? inv.natGateways * p.natGateway.hour * HOURS_PER_MONTH + a.natProcessedGbPerMonth * p.natGateway.gbProcessed : 0,
  );
  add(
    "Public IPv4 addresses",
    `${inv.publicIpv4} × ${HOURS_PER_MONTH} h (NAT gateways, load balancer nodes)`,
    inv.publicIpv4 * p.publicIpv4Hour * HOURS_PER_MONTH,
  );
  add(
    "Application Load Balancer",
    `${inv.loadBalancers} × ${HOURS_PER_MONTH} h + ${a.albLcuPerHour} LCU/h`,
    inv.loadBalancers * (p.alb.hour + a.albLcuPerHour * p.alb.lcuHour) * HOURS_PER_MONTH,
  );
  if (inv.database) {
    const db = inv.database;
    const instances = db.multiAz ? 2 : 1;
    const instanceHour = p.postgresInstanceHour[db.instanceClass];
    if (instanceHour === undefined)
      throw new Error(`The ${p.region} price table has no price for db.${db.instanceClass}: add it (RDS for PostgreSQL, on-demand).`);
    add(
      `RDS PostgreSQL db.${db.instanceClass}${db.multiAz ? " Multi-AZ" : ""}`,
      `${instances} × ${HOURS_PER_MONTH} h`,
      instances * instanceHour * HOURS_PER_MONTH,
    );
    add(
      "RDS storage (gp3)",
      `${db.storageGb} GB${db.multiAz ? " × 2 (Multi-AZ)" : ""}`,
      db.storageGb * instances * p.postgresStorageGbMonth,
    );
    add("RDS backups", "up to the storage size: free share (more is billed per GB)", 0);
    if (db.performanceInsights) add("Performance Insights", "7 days of history: free tier", 0);
  }
  add(
    "WAF",
    `${count(inv.webAcls, "web ACL")} + ${count(inv.wafRules, "rule")} + ${a.requestsPerMonthMillions} M requests`,
    inv.webAcls * p.waf.webAclMonth +
      inv.wafRules * p.waf.ruleMonth +
      a.requestsPerMonthMillions * p.waf.perMillionRequests * Math.min(inv.webAcls, 1),
  );
  add(
    "VPC interface endpoints",
    `${inv.interfaceEndpointAzs} endpoint-AZs × ${HOURS_PER_MONTH} h`,
    inv.interfaceEndpointAzs * p.interfaceEndpoint.hourPerAz * HOURS_PER_MONTH,
  );
  add(
    "CloudWatch",
    `${count(inv.alarms, "alarm")}, ${count(inv.dashboards, "dashboard")}, ${a.logsIngestedGbPerMonth} GB logs ingested`,
    inv.alarms * p.cloudwatch.alarmMonth +
      inv.dashboards * p.cloudwatch.dashboardMonth +
      a.logsIngestedGbPerMonth * p.cloudwatch.logsIngestedGb,
  );
  const runs = inv.canaryRunsPerMonth.reduce((sum, n) => sum + n, 0);
  if (inv.canaryRunsPerMonth.length)
    add(
      "CloudWatch Synthetics",
      `${count(inv.canaryRunsPerMonth.length, "canary", "canaries")}, ${runs.toLocaleString("en-US")} runs`,
      runs * p.cloudwatch.syntheticsRun,
    );
  add("Secrets Manager", count(inv.secrets, "secret"), inv.secrets * p.secretMonth);
  add("KMS", count(inv.kmsKeys, "customer-managed key"), inv.kmsKeys * p.kmsKeyMonth);
  const writes = a.lambdaInvocationsPerMonth * 2;
  add(
    "DynamoDB (on demand)",
    `${count(inv.dynamoTables, "table")}, ~${fixed(writes / 1e6)} M writes and reads`,
    inv.dynamoTables > 0 ? (writes / 1e6) * (p.dynamodb.perMillionWrites + p.dynamodb.perMillionReads) : 0,
  );
  const averageMemoryGb = inv.lambdaMemoryMb.length ? inv.lambdaMemoryMb.reduce((t, m) => t + m, 0) / inv.lambdaMemoryMb.length / 1024 : 0;
  add(
    "Lambda (arm64)",
    `${count(inv.lambdaMemoryMb.length, "function")}, ${a.lambdaInvocationsPerMonth.toLocaleString("en-US")} invocations × ${a.lambdaAverageSeconds} s`,
    (a.lambdaInvocationsPerMonth / 1e6) * p.lambda.perMillionRequests +
      a.lambdaInvocationsPerMonth * a.lambdaAverageSeconds * averageMemoryGb * p.lambda.arm64GbSecond,
  );

  const total = lines.reduce((sum, line) => sum + line.monthly, 0);
  const sleepSaving =
    input.asleepHoursPerMonth === null
      ? null
      : {
          hours: input.asleepHoursPerMonth,
          // The schedule's own formula, at this table's prices: the sleep notices and this table agree. The workers
          // sleep with the stage, each at its minimum (what they wake to without a record).
          monthly:
            input.asleepHoursPerMonth *
            hourlyCost(
              {
                capacity: { desiredCount: tasks },
                workers: Object.fromEntries(inv.workers.map((w) => [w.name, { desiredCount: w.minTasks }])),
                database: inv.database ? "available" : "none",
              },
              {
                task: inv.task,
                workers: Object.fromEntries(inv.workers.map((w) => [w.name, { vcpu: w.vcpu, memoryGb: w.memoryGb }])),
                databaseInstances: inv.database?.multiAz ? 2 : 1,
                prices: schedulePrices(p, inv.database?.instanceClass),
              },
            ),
        };
  return { region: p.region, currency: p.currency, lines, total, sleepSaving, pricesChecked: p.checked };
}

/** The prices the schedule function estimates its savings with, taken from a region's table. */
export function schedulePrices(p: PriceTable, instanceClass: string | undefined) {
  return {
    currency: p.currency,
    fargateVcpuHour: p.fargate.vcpuHour,
    fargateGbHour: p.fargate.gbHour,
    databaseInstanceHour: instanceClass ? (p.postgresInstanceHour[instanceClass] ?? 0) : 0,
  };
}
