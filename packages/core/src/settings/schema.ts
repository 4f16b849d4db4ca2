import * as z from "zod";
import { Severity } from "../notify/message";

/**
 * Stage settings: everything that differs between `prod`, `staging`, `dev`
 * and preview stages. The stacks read them to shape the infrastructure; the
 * Lambdas receive the parts they act on (mode, schedule, bake window) in
 * their environment and parse them with the same schema.
 */

export const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

const minutes = z.number().int().positive();
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24 h)");
const ianaTimeZone = z.string().refine(isIanaTimeZone, "must be an IANA time zone such as Europe/Berlin");
const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16");

/** Fargate accepts only these CPU units with these memory sizes (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

export const AutomationMode = z.enum(["enforce", "dry-run"]);
export type AutomationMode = z.infer<typeof AutomationMode>;

export const StageKind = z.enum(["production", "staging", "development"]);
export type StageKind = z.infer<typeof StageKind>;

const network = z.strictObject({
  cidr,
  availabilityZones: z.number().int().min(2).max(3),
  natGateways: z.number().int().min(1).max(3),
  vpcEndpoints: z.boolean(),
  flowLogRetentionDays: z.number().int().positive(),
});

const database = z.strictObject({
  instanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "must be an instance type such as t4g.micro"),
  allocatedStorageGiB: z.number().int().min(20).max(65536),
  maxAllocatedStorageGiB: z.number().int().min(20).max(65536),
  multiAz: z.boolean(),
  deletionProtection: z.boolean(),
  backupRetentionDays: z.number().int().min(1).max(35),
  credentialRotationDays: z.number().int().min(1).max(365).nullable(),
  performanceInsights: z.boolean(),
  monitoringIntervalSeconds: z.union([
    z.literal(0),
    z.literal(1),
    z.literal(5),
    z.literal(10),
    z.literal(15),
    z.literal(30),
    z.literal(60),
  ]),
});

const service = z.strictObject({
  cpu: z.number().int(),
  memoryMiB: z.number().int(),
  minTasks: z.number().int().min(0),
  maxTasks: z.number().int().min(1),
  containerPort: z.number().int().min(1024).max(65535),
  logRetentionDays: z.number().int().positive(),
  cpuTargetPercent: z.number().int().min(10).max(90),
  requestsPerTargetPerMinute: z.number().int().positive(),
});

const release = z.strictObject({
  /** Share of traffic sent to the new version first; 100 means all at once. */
  canaryPercent: z.number().int().min(1).max(100),
  canaryMinutes: minutes.max(2880),
  /** How long the old (blue) tasks stay up after a release, ready for an instant switch back. */
  blueTerminationWaitMinutes: z.number().int().min(0).max(2880),
  /** After a release, an alarm within this window is blamed on the release. */
  bakeWindowMinutes: minutes.max(1440),
});

const firewall = z.strictObject({
  rateLimitPer5MinPerIp: z.number().int().min(10).max(2_000_000_000),
  blockAnonymousIps: z.boolean(),
  allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, "must be ISO 3166 alpha-2 codes such as DE")),
  /** When not empty, only these source addresses reach the service (an office, a VPN). */
  allowedIpCidrs: z.array(cidr),
});

const alerts = z.strictObject({
  emails: z.array(z.email()),
});

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2026-12-24")
  .refine((date) => {
    const parsed = new Date(`${date}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
  }, "is not a calendar date");
const hourlyPrice = z.number().min(0).max(100);

export const ScheduleSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Working hours are read in this zone; the scheduler follows its daylight-saving changes. */
  timeZone: ianaTimeZone,
  workingDays: z.array(weekday).min(1),
  wakeAt: clockTime,
  sleepAt: clockTime,
  /**
   * Public holidays (the stage sleeps all day) of a country, e.g. "DE", and
   * optionally one of its states or regions, e.g. "BE", as the date-holidays
   * library names them. null: no public holidays.
   */
  holidays: z
    .strictObject({
      country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166 country code such as DE"),
      region: z
        .string()
        .regex(/^[A-Z0-9]{1,3}$/, "must be a state or region code such as BE")
        .nullable(),
    })
    .nullable(),
  /** Further days the stage sleeps all day (company holidays, shutdown weeks), in the time zone above. */
  closedDates: z.array(calendarDate).max(100),
  /** The day of the week on which on-call gets the week's sleep summary (at wakeAt); null: no summary. */
  weeklySummary: weekday.nullable(),
  /**
   * On-demand prices for the money-saved estimate, per hour. They are an
   * estimate for the stage's region and instance type: edit them when either
   * changes (AWS price list, "Fargate" and "RDS for PostgreSQL").
   */
  prices: z.strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, "must be a currency code such as USD"),
    fargateVcpuHour: hourlyPrice,
    fargateGbHour: hourlyPrice,
    databaseInstanceHour: hourlyPrice,
  }),
});
export type ScheduleSettings = z.infer<typeof ScheduleSettingsSchema>;

const slackChannel = z
  .string()
  .regex(
    /^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,})$/,
    "must be a channel name such as #ops-oncall or a channel id such as C0123456789",
  )
  .nullable();

export const NotificationSettingsSchema = z.strictObject({
  slack: z.strictObject({
    /** web-api: a bot token, threads and graphs; webhook: an incoming webhook, one channel, no threads; off: e-mail only. */
    mode: z.enum(["web-api", "webhook", "off"]),
    /** Where each severity goes; null keeps that severity out of Slack. */
    channels: z.strictObject({ critical: slackChannel, warning: slackChannel, info: slackChannel, resolved: slackChannel }),
  }),
  /** Which severities also go to the on-call topic (e-mail). */
  emailSeverities: z.array(Severity),
  /** Repeats of the same alarm or crash within this many minutes of the last one update one message. */
  collapseWindowMinutes: z.number().int().min(1).max(1440),
});
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

const CheckKind = z.enum(["smoke", "compare"]);
const checksPerHook = z.array(CheckKind).refine((kinds) => new Set(kinds).size === kinds.length, "lists a check twice");
const apiPath = z.string().regex(/^\/[^\s]*$/, "must be a path starting with /");

export const SmokeCheckSchema = z.strictObject({
  name: z.string().min(1).max(60),
  method: z.enum(["GET", "HEAD", "POST"]),
  path: apiPath,
  body: z.string().max(10_000).nullable(),
  expectStatus: z.number().int().min(100).max(599),
  /** A regular expression the response body must match, or null. */
  bodyMatch: z.string().nullable(),
  latencyBudgetMs: z.number().int().positive().max(60_000),
});
export type SmokeCheck = z.infer<typeof SmokeCheckSchema>;

export const CanarySettingsSchema = z.strictObject({
  /** Which checks run at which CodeDeploy lifecycle hook; a hook with none is not wired into releases. */
  hooks: z.strictObject({
    BeforeInstall: z.array(CheckKind).max(0, "no check can reach the new tasks before test traffic is allowed"),
    AfterInstall: z.array(CheckKind).max(0, "no check can reach the new tasks before test traffic is allowed"),
    AfterAllowTestTraffic: checksPerHook,
    BeforeAllowTraffic: checksPerHook,
    // After traffic has moved, both listeners reach the new version: there is nothing left to compare with.
    AfterAllowTraffic: z
      .array(z.literal("smoke", { error: "only smoke checks: after AllowTraffic there is no current version to compare with" }))
      .max(1),
  }),
  smoke: z.array(SmokeCheckSchema).min(1),
  /** Retries of a failing smoke check while the new tasks warm up, with exponential backoff. */
  warmup: z.strictObject({ retries: z.number().int().min(0).max(10), minDelayMs: z.number().int().min(10).max(30_000) }),
  /** The same bounded sample sent to the new version (test listener) and the current one (production listener). */
  comparison: z.strictObject({
    path: apiPath,
    requests: z.number().int().min(20).max(2000),
    concurrency: z.number().int().min(1).max(50),
    timeoutMs: z.number().int().positive().max(30_000),
    /** Significance level of both tests. */
    alpha: z.number().gt(0).max(0.2),
    /** A regression must also exceed these margins: error rate (absolute) and p95 latency (percent). */
    maxErrorRateIncrease: z.number().min(0).max(1),
    maxP95IncreasePercent: z.number().min(0).max(1000),
  }),
  /** Seconds kept back from the Lambda deadline to report the verdict. */
  reserveSeconds: z.number().int().min(2).max(60),
  /**
   * While a canary release shifts traffic: compare the two target groups' load balancer metrics and stop the
   * release (with rollback) on a regression, using the comparison's significance level and margins.
   */
  watch: z.strictObject({
    enabled: z.boolean(),
    /** How often the metrics are read while the release runs. */
    pollSeconds: z.number().int().min(10).max(60),
    /** The trailing window compared, in whole minutes (the load balancer's metrics have one-minute periods). */
    windowMinutes: z.number().int().min(1).max(10),
    /** Fewer requests than this on either side in the window: no verdict yet. */
    minRequests: z.number().int().min(1).max(100_000),
  }),
});
export type CanarySettings = z.infer<typeof CanarySettingsSchema>;

export const RollbackSettingsSchema = z.strictObject({
  /** Alarm ids (the part after "<stage>-<app>-") that can blame a release; any other alarm is not a release problem. */
  alarms: z.array(z.string().regex(/^[A-Za-z0-9]+$/)).min(1),
  /** At least this long between two automatic rollbacks. */
  cooldownMinutes: z.number().int().min(0).max(1440),
  /** At most this many automatic rollbacks per 24 hours. */
  dailyCap: z.number().int().min(1).max(20),
});
export type RollbackSettings = z.infer<typeof RollbackSettingsSchema>;

const domain = z
  .strictObject({
    name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a DNS name such as app.example.com"),
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "must be an ACM certificate ARN"),
  })
  .nullable();

export const StageSettingsSchema = z
  .strictObject({
    stage: z.string().regex(STAGE_NAME, "must be lower-case letters, digits and '-', starting with a letter, 20 characters at most"),
    kind: StageKind,
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-central-1"),
    automationMode: AutomationMode,
    network,
    database,
    service,
    release,
    firewall,
    alerts,
    notifications: NotificationSettingsSchema,
    canary: CanarySettingsSchema,
    rollback: RollbackSettingsSchema,
    schedule: ScheduleSettingsSchema,
    domain,
  })
  .superRefine((s, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

    if (s.kind === "production") {
      if (s.schedule.enabled) problem(["schedule", "enabled"], "a production stage is never scheduled down");
      if (!s.database.deletionProtection) problem(["database", "deletionProtection"], "must be true in production");
      if (!s.database.multiAz) problem(["database", "multiAz"], "must be true in production");
      if (s.database.backupRetentionDays < 7) problem(["database", "backupRetentionDays"], "must be at least 7 in production");
      if (s.database.credentialRotationDays === null) problem(["database", "credentialRotationDays"], "must be set in production");
      if (s.network.natGateways < s.network.availabilityZones)
        problem(["network", "natGateways"], "production needs one NAT gateway per availability zone");
      if (s.service.minTasks < 2) problem(["service", "minTasks"], "production needs at least 2 tasks");
      if (!s.notifications.emailSeverities.includes("critical"))
        problem(["notifications", "emailSeverities"], "production must e-mail critical messages to on-call");
    }
    if (s.stage === "prod" && s.kind !== "production") problem(["kind"], 'the stage named "prod" must be of kind production');
    if (s.network.natGateways > s.network.availabilityZones)
      problem(["network", "natGateways"], `must not exceed availabilityZones (${s.network.availabilityZones})`);
    if (s.database.maxAllocatedStorageGiB < s.database.allocatedStorageGiB)
      problem(["database", "maxAllocatedStorageGiB"], `must be at least allocatedStorageGiB (${s.database.allocatedStorageGiB})`);
    const memories = FARGATE_MEMORY_BY_CPU[s.service.cpu];
    if (!memories) problem(["service", "cpu"], `must be one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`);
    else if (!memories.includes(s.service.memoryMiB))
      problem(
        ["service", "memoryMiB"],
        `Fargate with ${s.service.cpu} CPU units accepts ${memories[0]}–${memories.at(-1)} MiB (got ${s.service.memoryMiB})`,
      );
    if (s.service.minTasks > s.service.maxTasks) problem(["service", "minTasks"], `must not exceed maxTasks (${s.service.maxTasks})`);
    if (s.release.canaryPercent === 100 && s.release.canaryMinutes !== 1)
      problem(["release", "canaryMinutes"], "must be 1 when canaryPercent is 100 (all at once has no canary window)");
    if (s.release.canaryPercent === 100 && s.canary.watch.enabled)
      problem(["canary", "watch", "enabled"], "must be false when canaryPercent is 100 (all at once has no canary window to watch)");
    if (s.schedule.wakeAt >= s.schedule.sleepAt)
      problem(["schedule", "sleepAt"], `must be later than wakeAt (${s.schedule.wakeAt}): working hours across midnight are not supported`);
    if (new Set(s.schedule.workingDays).size !== s.schedule.workingDays.length) problem(["schedule", "workingDays"], "names a day twice");
  });

export type StageSettings = z.infer<typeof StageSettingsSchema>;
/** What a caller may override: any field, at any depth. */
export type StageSettingsOverrides = DeepPartial<Omit<StageSettings, "stage">>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
