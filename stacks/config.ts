import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { unknownHolidayRegion } from "@hands-off-ops/core/schedule/holidays";
import { CHATOPS_DEFAULTS } from "@hands-off-ops/core/settings/chatops";
import { STAGE_NAME, type StageSettings, type StageSettingsOverrides, StageSettingsSchema } from "@hands-off-ops/core/settings/schema";
import { lookAlikeOf } from "./stage-look-alike";

/**
 * Every difference between stages, as data. `prod`, `staging` and `dev` are
 * named; any other stage name (a preview stage such as `pr-123`, a personal
 * stage) is shaped like `dev`. A team adapts values either here or, without
 * touching code, in `ops.settings.json` at the repository root:
 *
 *   { "prod": { "alerts": { "emails": ["oncall@example.com"] } } }
 *
 * The entry "*" applies to every other stage the file does not name (previews such as pr-123), e.g. a hosted zone
 * without a name gives each its own address: { "*": { "domain": { "hostedZone": { "id": "Z…", "name": "example.com" } } } }.
 */

export type { StageSettings };
export const DEFAULT_REGION = "eu-central-1";
export const NAMED_STAGES = ["prod", "staging", "dev"] as const;
export const OVERRIDES_FILE = "ops.settings.json";
/** The settings file's entry for every stage it does not name and that is not prod, staging or dev: previews. */
export const PREVIEW_KEY = "*";
/** Points at another overrides file, e.g. one per AWS account in CI. */
export const OVERRIDES_FILE_VARIABLE = "OPS_SETTINGS_FILE";

type StageDefaults = Omit<StageSettings, "stage">;

const PROD: StageDefaults = {
  kind: "production",
  region: DEFAULT_REGION,
  automationMode: "dry-run",
  network: { cidr: "10.0.0.0/16", availabilityZones: 3, natGateways: 3, vpcEndpoints: true, flowLogRetentionDays: 90, shared: null },
  database: {
    enabled: true,
    instanceType: "m7g.large",
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    deletionProtection: true,
    backupRetentionDays: 14,
    performanceInsights: true,
    monitoringIntervalSeconds: 60,
  },
  service: {
    cpu: 512,
    memoryMiB: 1024,
    minTasks: 2,
    maxTasks: 10,
    containerPort: 8080,
    logRetentionDays: 90,
    cpuTargetPercent: 60,
    requestsPerTargetPerMinute: 1000,
  },
  // No services named: the sample voting app in service/ (stacks/deployed-services.ts).
  services: null,
  release: { controller: "codedeploy", canaryPercent: 10, canaryMinutes: 5, blueTerminationWaitMinutes: 60, bakeWindowMinutes: 60 },
  firewall: {
    rateLimitPer5MinPerIp: 2000,
    blockAnonymousIps: true,
    allowedCountries: [],
    allowedIpCidrs: [],
    // A team turns it on (CAPTCHA attempts are billed per thousand); the settings are ready.
    humanCheck: { action: "off", writes: "above-rate", writesPer5MinPerIp: 100, immunityMinutes: 60 },
  },
  alerts: { emails: [] },
  notifications: {
    slack: {
      mode: "web-api",
      channels: { critical: "#ops-oncall", warning: "#ops-oncall", info: "#ops-releases", resolved: "#ops-oncall" },
    },
    emailSeverities: ["critical", "warning", "resolved"],
    collapseWindowMinutes: 30,
    // Half a night shift: an alarm in ALARM that long was read and parked, or missed.
    remindAfterHours: 4,
  },
  canary: {
    hooks: {
      BeforeInstall: [],
      AfterInstall: [],
      AfterAllowTestTraffic: ["smoke", "compare"],
      BeforeAllowTraffic: [],
      AfterAllowTraffic: ["smoke"],
    },
    smoke: [
      {
        name: "health",
        method: "GET",
        path: "/health",
        body: null,
        expectStatus: 200,
        bodyMatch: "^UP$",
        latencyBudgetMs: 500,
        headers: {},
      },
      {
        name: "database ready",
        method: "GET",
        path: "/ready",
        body: null,
        expectStatus: 200,
        bodyMatch: null,
        latencyBudgetMs: 1000,
        headers: {},
      },
      { name: "page", method: "GET", path: "/", body: null, expectStatus: 200, bodyMatch: "<html", latencyBudgetMs: 1000, headers: {} },
      {
        name: "API reads the database",
        method: "GET",
        path: "/api/polls/00000000-0000-4000-8000-000000000000/results",
        body: null,
        expectStatus: 404,
        bodyMatch: null,
        latencyBudgetMs: 1000,
        headers: {},
      },
    ],
    readyPath: "/ready",
    warmup: { retries: 4, minDelayMs: 1000 },
    comparison: {
      path: "/api/polls/00000000-0000-4000-8000-000000000000/results",
      headers: {},
      requests: 200,
      warmupRequests: 20,
      concurrency: 10,
      timeoutMs: 5000,
      alpha: 0.01,
      maxErrorRateIncrease: 0.01,
      maxP95IncreasePercent: 25,
    },
    reserveSeconds: 10,
    watch: { enabled: true, pollSeconds: 5, windowMinutes: 1, minRequests: 30 },
    // On in production: a person approves each release after its comparison, once Slack is connected.
    approval: { enabled: true, hook: "AfterAllowTestTraffic", deadlineMinutes: 30, onDeadline: "Failed" },
  },
  rollback: {
    alarms: ["Alb5xxRate", "TargetP99Latency", "UnhealthyHostsBlue", "UnhealthyHostsGreen", "SyntheticFlow", "ServiceCpu", "ServiceMemory"],
    cooldownMinutes: 30,
    dailyCap: 3,
  },
  schedule: {
    enabled: false,
    timeZone: "Europe/Berlin",
    workingDays: ["mon", "tue", "wed", "thu", "fri"],
    wakeAt: "07:30",
    sleepAt: "19:00",
    holidays: { country: "DE", region: "BE" },
    closedDates: [],
    weeklySummary: "mon",
    // eu-central-1 on-demand, Linux/ARM Fargate and a single-AZ db.t4g.micro PostgreSQL (November 2026).
    prices: { currency: "USD", fargateVcpuHour: 0.03725, fargateGbHour: 0.00409, databaseInstanceHour: 0.019 },
  },
  domain: null,
  synthetics: { enabled: true, everyMinutes: 1, alarmBelowPercent: 90 },
  // A shell next to production data is a decision a team makes, not a default.
  shell: { enabled: false, sessionMinutes: 60 },
  cost: {
    requestsPerMonthMillions: 30,
    albLcuPerHour: 1,
    natProcessedGbPerMonth: 50,
    logsIngestedGbPerMonth: 20,
    typicalTasks: null,
    lambdaInvocationsPerMonth: 100_000,
    lambdaAverageSeconds: 0.5,
  },
  chatops: CHATOPS_DEFAULTS.production,
};

const STAGING: StageDefaults = {
  ...PROD,
  kind: "staging",
  automationMode: "enforce",
  network: { cidr: "10.1.0.0/16", availabilityZones: 3, natGateways: 1, vpcEndpoints: true, flowLogRetentionDays: 30, shared: null },
  database: {
    ...PROD.database,
    instanceType: "t4g.small",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    multiAz: false,
    backupRetentionDays: 7,
  },
  service: { ...PROD.service, cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 4, logRetentionDays: 30 },
  release: { ...PROD.release, blueTerminationWaitMinutes: 15 },
  notifications: {
    ...PROD.notifications,
    slack: {
      mode: "web-api",
      channels: { critical: "#ops-staging", warning: "#ops-staging", info: "#ops-staging", resolved: "#ops-staging" },
    },
    emailSeverities: ["critical"],
  },
  canary: { ...PROD.canary, approval: { ...PROD.canary.approval, enabled: false } },
  // Every 5 minutes: a fifth of prod's runs (about $10 a month).
  synthetics: { ...PROD.synthetics, everyMinutes: 5 },
  shell: { ...PROD.shell, enabled: true },
  cost: { ...PROD.cost, requestsPerMonthMillions: 2, albLcuPerHour: 0.2, natProcessedGbPerMonth: 10, logsIngestedGbPerMonth: 3 },
  chatops: CHATOPS_DEFAULTS.other,
};

const DEV: StageDefaults = {
  ...STAGING,
  kind: "development",
  network: { cidr: "10.2.0.0/16", availabilityZones: 2, natGateways: 1, vpcEndpoints: false, flowLogRetentionDays: 7, shared: null },
  database: {
    enabled: true,
    instanceType: "t4g.micro",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    deletionProtection: false,
    backupRetentionDays: 1,
    performanceInsights: false,
    monitoringIntervalSeconds: 0,
  },
  service: { ...STAGING.service, minTasks: 1, maxTasks: 2, logRetentionDays: 7 },
  release: { controller: "codedeploy", canaryPercent: 100, canaryMinutes: 1, blueTerminationWaitMinutes: 0, bakeWindowMinutes: 30 },
  firewall: { ...PROD.firewall, rateLimitPer5MinPerIp: 1000, blockAnonymousIps: false },
  notifications: {
    ...STAGING.notifications,
    // Development is quiet: no e-mail, and only what needs attention reaches Slack.
    slack: { mode: "web-api", channels: { critical: "#ops-dev", warning: "#ops-dev", info: "#ops-dev", resolved: null } },
    emailSeverities: [],
  },
  // Development releases all at once: the smoke suite is enough, a comparison would slow every deploy.
  canary: {
    ...STAGING.canary,
    hooks: { ...STAGING.canary.hooks, AfterAllowTestTraffic: ["smoke"], AfterAllowTraffic: [] },
    // All at once: there is no canary window to watch.
    watch: { ...STAGING.canary.watch, enabled: false },
  },
  schedule: { ...PROD.schedule, enabled: true },
  // Development sleeps at night, and a synthetic user cannot sleep with it yet.
  synthetics: { ...STAGING.synthetics, enabled: false },
  cost: { ...STAGING.cost, requestsPerMonthMillions: 0.5, albLcuPerHour: 0.1, natProcessedGbPerMonth: 5, logsIngestedGbPerMonth: 1 },
};

/** The network owner of previews: dev's Network stack publishes what a preview needs (stacks/shared-network.ts). */
export const SHARED_NETWORK_OWNER = "dev";

/** Every other stage (previews, personal stages): dev-shaped, in dev's network (the regional VPC and EIP quotas). */
const PREVIEW: StageDefaults = { ...DEV, network: { ...DEV.network, shared: SHARED_NETWORK_OWNER } };

const DEFAULTS: Record<(typeof NAMED_STAGES)[number], StageDefaults> = { prod: PROD, staging: STAGING, dev: DEV };

/**
 * The stage sleeps outside working hours (stacks/schedule.ts deploys its schedule): a stage with its schedule on,
 * never production. Its database is then stopped at night and started in the morning by the schedule function.
 */
export const sleepsAtNight = (settings: StageSettings): boolean => settings.kind !== "production" && settings.schedule.enabled;

export class StageSettingsError extends Error {
  override name = "StageSettingsError";
}

/**
 * The validated settings of a stage: its defaults, then the overrides for that
 * stage. Throws a StageSettingsError naming the stage and each bad field.
 */
export function stageSettings(stage: string, overrides: StageSettingsOverrides = readOverridesFile(stage)): StageSettings {
  const settings = ownSettings(stage, overrides);
  const owner = settings.network.shared;
  if (owner) sharedNetworkProblem(settings, owner, ownSettings(owner, readOverridesFile(owner)));
  return settings;
}

/**
 * The stage's settings, whatever the stage whose network it shares says: checked here, once both are known, so that a
 * preview's deploy is refused at synth rather than failing in CloudFormation on a parameter that does not exist.
 */
function sharedNetworkProblem(settings: StageSettings, owner: string, ownerSettings: StageSettings) {
  const refuse = (why: string) => {
    throw new StageSettingsError(`Stage "${settings.stage}": invalid settings\n  - network.shared: "${owner}" ${why}`);
  };
  if (ownerSettings.kind !== "development") refuse(`is a ${ownerSettings.kind} stage: only a development stage's network is shared`);
  if (ownerSettings.network.shared !== null) refuse(`uses the network of "${ownerSettings.network.shared}" itself: share that one`);
  if (ownerSettings.region !== settings.region)
    refuse(`is in ${ownerSettings.region}, this stage in ${settings.region}: a VPC belongs to one region`);
}

function ownSettings(stage: string, overrides: StageSettingsOverrides): StageSettings {
  if (!STAGE_NAME.test(stage)) {
    throw new StageSettingsError(
      `Stage "${stage}": the name must be lower-case letters, digits and '-', start with a letter and be 20 characters at most (it becomes part of AWS resource names).`,
    );
  }
  if ("stage" in overrides) throw new StageSettingsError(`Stage "${stage}": overrides must not rename the stage (field "stage")`);
  const lookAlike = lookAlikeOf(stage);
  if (lookAlike && !declaredInSettingsFile(stage)) {
    throw new StageSettingsError(
      `Stage "${stage}" looks like "${lookAlike}" but is not it: it would get dev-shaped settings (one NAT gateway, no deletion protection, asleep at night). ` +
        `Use "${lookAlike}", or, if "${stage}" is meant as a stage of its own, declare it in ${OVERRIDES_FILE} (e.g. {"${stage}": {}}).`,
    );
  }
  const defaults = stage in DEFAULTS ? DEFAULTS[stage as keyof typeof DEFAULTS] : PREVIEW;
  const merged = withStageName(mergeOverrides({ ...defaults, stage }, overrides), stage);
  const parsed = StageSettingsSchema.safeParse(merged);
  // The holiday library is too large for the schema Lambdas share, so its check runs here, at synth time.
  const holidays = parsed.success ? unknownHolidayRegion(parsed.data.schedule.holidays) : null;
  if (parsed.success && !holidays) return parsed.data;
  const issues = parsed.success ? [{ path: ["schedule", "holidays"], message: holidays }] : parsed.error.issues;
  const lines = issues.map((issue) => `  - ${issue.path.join(".") || "(settings)"}: ${issue.message}`);
  throw new StageSettingsError(`Stage "${stage}": invalid settings\n${lines.join("\n")}`);
}

/** A hosted zone without a name gives the stage its own name in the zone: pr-123.example.com. */
function withStageName(settings: Record<string, unknown>, stage: string): Record<string, unknown> {
  const domain = settings.domain as { name?: unknown; hostedZone?: { name?: unknown } } | null | undefined;
  if (!domain?.hostedZone || domain.name !== undefined || typeof domain.hostedZone.name !== "string") return settings;
  return { ...settings, domain: { ...domain, name: `${stage}.${domain.hostedZone.name}` } };
}

/** Whether the settings file names the stage: how a look-alike name is confirmed as intended. */
function declaredInSettingsFile(stage: string, file = path.resolve(process.env[OVERRIDES_FILE_VARIABLE] || OVERRIDES_FILE)): boolean {
  if (!existsSync(file)) return false;
  try {
    const content = JSON.parse(readFileSync(file, "utf8"));
    return isPlainObject(content) && stage in content;
  } catch {
    return false;
  }
}

/** The overrides for one stage from ops.settings.json (or $OPS_SETTINGS_FILE), or none when the file does not exist. */
export function readOverridesFile(
  stage: string,
  file = path.resolve(process.env[OVERRIDES_FILE_VARIABLE] || OVERRIDES_FILE),
): StageSettingsOverrides {
  if (!existsSync(file)) return {};
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new StageSettingsError(`Stage "${stage}": ${file} is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(content)) throw new StageSettingsError(`Stage "${stage}": ${file} must hold an object keyed by stage name`);
  // A stage the file does not name, and that is none of the named ones (a preview), takes the "*" entry.
  const forStage = content[stage] ?? (stage in DEFAULTS ? undefined : content[PREVIEW_KEY]) ?? {};
  if (!isPlainObject(forStage)) throw new StageSettingsError(`Stage "${stage}": ${file} entry "${stage}" must be an object`);
  return forStage as StageSettingsOverrides;
}

/** Objects merge key by key; arrays, scalars and null replace. */
function mergeOverrides(base: Record<string, unknown>, overrides: object): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = result[key];
    result[key] = isPlainObject(value) && isPlainObject(current) ? mergeOverrides(current, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
