import * as z from "zod";
import { CanarySettingsSchema } from "./canary";
import { ChatOpsSettingsSchema, RELEASE_CHANGING_PERMISSIONS, slackConnected } from "./chatops";
import { AutomationMode, StageKind } from "./common";
import { CostAssumptionsSchema } from "./cost";
import { NotificationSettingsSchema } from "./notifications";
import { RollbackSettingsSchema } from "./rollback";
import { ScheduleSettingsSchema } from "./schedule";
import { publicService, ServiceSizingSchema, ServicesSchema, servicesProblems, sizingOf, sizingProblems } from "./services";

/**
 * Stage settings: everything that differs between `prod`, `staging`, `dev`
 * and preview stages. The stacks read them to shape the infrastructure; the
 * Lambdas receive the parts they act on (mode, schedule, bake window) in
 * their environment and parse them with the same schemas, each from its own
 * module so that a Lambda builds only the part it reads (issue #10).
 */

export { type CanarySettings, CanarySettingsSchema, type SmokeCheck, SmokeCheckSchema } from "./canary";
export { type ChatOpsSettings, ChatOpsSettingsSchema } from "./chatops";
export { AutomationMode, StageKind } from "./common";
export { type CostAssumptions, CostAssumptionsSchema } from "./cost";
export { type NotificationSettings, NotificationSettingsSchema } from "./notifications";
export { type RollbackSettings, RollbackSettingsSchema } from "./rollback";
export { type ScheduleSettings, ScheduleSettingsSchema } from "./schedule";
export { FARGATE_MEMORY_BY_CPU, type ServiceDescription, type Services, ServicesSchema } from "./services";

export const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

const minutes = z.number().int().positive();
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16");

const network = z.strictObject({
  cidr,
  availabilityZones: z.number().int().min(2).max(3),
  natGateways: z.number().int().min(1).max(3),
  vpcEndpoints: z.boolean(),
  flowLogRetentionDays: z.number().int().positive(),
  /**
   * The stage whose network this one uses instead of its own VPC (previews use dev's): one VPC, NAT gateway and
   * elastic IP for all of them, within the regional quotas of five each. Null: the stage has its own network.
   */
  shared: z.string().regex(STAGE_NAME, "must be a stage name such as dev").nullable(),
});

const database = z.strictObject({
  /** A stage whose services keep no state of their own has no database: none is made, watched, slept or paid for. */
  enabled: z.boolean().default(true),
  instanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "must be an instance type such as t4g.micro"),
  allocatedStorageGiB: z.number().int().min(20).max(65536),
  maxAllocatedStorageGiB: z.number().int().min(20).max(65536),
  multiAz: z.boolean(),
  deletionProtection: z.boolean(),
  backupRetentionDays: z.number().int().min(1).max(35),
  /** Gone: RDS manages and rotates the master password itself (stacks/Database.ts), on no setting of ours. */
  credentialRotationDays: z
    .never({ message: "is no longer a setting: RDS rotates the master password it manages (every 7 days; docs/production-setup.md)" })
    .optional(),
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

/** Who runs a release: CodeDeploy (blue/green through Custom::Release) or ECS itself (its native blue/green and canary). */
export const ReleaseController = z.enum(["codedeploy", "ecs"]);
export type ReleaseController = z.infer<typeof ReleaseController>;

/** ECS's own limits on its canary and bake times (API CanaryConfiguration, DeploymentConfiguration): 0–1,440 minutes. */
export const ECS_MAX_BAKE_MINUTES = 1440;
/** CloudFormation refuses an ECS canary whose bake time plus canary bake time exceed 33 hours (its operations end at 36). */
export const ECS_CLOUDFORMATION_MAX_MINUTES = 33 * 60;

const release = z.strictObject({
  /** See docs/releases.md, "Choosing a controller". */
  controller: ReleaseController.default("codedeploy"),
  /** Share of traffic sent to the new version first; 100 means all at once. */
  canaryPercent: z.number().int().min(1).max(100),
  canaryMinutes: minutes.max(2880),
  /** How long the old (blue) tasks stay up after a release, ready for an instant switch back. */
  blueTerminationWaitMinutes: z.number().int().min(0).max(2880),
  /** After a release, an alarm within this window is blamed on the release. */
  bakeWindowMinutes: minutes.max(1440),
});

/**
 * A synthetic user (CloudWatch Synthetics, synthetics/flow.js) that calls the stage's public URL from outside the
 * VPC: /health, the page, and a poll created, voted on and read back. Its success rate is a release alarm.
 */
const synthetics = z.strictObject({
  enabled: z.boolean(),
  /** How often it runs: each run is billed (about $0.0012), so every minute costs about $52 a month. */
  everyMinutes: z.number().int().min(1).max(60),
  /** The alarm fires when fewer runs than this succeed, in 2 of 3 periods. */
  alarmBelowPercent: z.number().int().min(1).max(100),
});

/**
 * The operator shell: `npm run ops -- shell` starts a one-off task of the service's image (never a task that serves
 * users) and opens an ECS Exec session into it, KMS-encrypted and logged. Off in production unless enabled here.
 */
const shell = z.strictObject({
  enabled: z.boolean(),
  /** The shell task ends itself after this long. */
  sessionMinutes: z.number().int().min(5).max(240),
});

const firewall = z.strictObject({
  rateLimitPer5MinPerIp: z.number().int().min(10).max(2_000_000_000),
  blockAnonymousIps: z.boolean(),
  allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, "must be ISO 3166 alpha-2 codes such as DE")),
  /** When not empty, only these source addresses reach the service (an office, a VPN). */
  allowedIpCidrs: z.array(cidr),
  /**
   * Writes (POST /api/…) must come from a person: a silent browser challenge or a CAPTCHA, for every write or only
   * above a rate per address. The voting page takes the person through it and sends the write again.
   */
  humanCheck: z.strictObject({
    action: z.enum(["off", "challenge", "captcha"]),
    writes: z.enum(["always", "above-rate"]),
    /** above-rate: writes per address in 5 minutes before the check applies. */
    writesPer5MinPerIp: z.number().int().min(10).max(2_000_000_000),
    /** How long a solved check lets the person write without another. */
    immunityMinutes: z.number().int().min(1).max(4320),
  }),
});

const alerts = z.strictObject({
  emails: z.array(z.email()),
});

const dnsName = z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a DNS name such as app.example.com");

/**
 * The stage's address. Either a certificate made elsewhere (imported: the DNS record is yours to make), or a
 * Route 53 hosted zone: the stack then makes a DNS-validated certificate and the alias record to the load balancer.
 */
const domain = z
  .union([
    z.strictObject({
      name: dnsName,
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "must be an ACM certificate ARN"),
    }),
    z
      .strictObject({
        name: dnsName,
        hostedZone: z.strictObject({
          id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
          name: dnsName,
        }),
      })
      .refine((d) => d.name === d.hostedZone.name || d.name.endsWith(`.${d.hostedZone.name}`), {
        message: "must be the hosted zone's name or a name inside it",
        path: ["name"],
      }),
  ])
  .nullable();

const stageFields = z.strictObject({
  stage: z.string().regex(STAGE_NAME, "must be lower-case letters, digits and '-', starting with a letter, 20 characters at most"),
  kind: StageKind,
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-central-1"),
  automationMode: AutomationMode,
  network,
  database,
  /** Sizing of the public service's tasks, and the default of every service's `size`. */
  service: ServiceSizingSchema,
  /** A team's own containers (settings/services.ts); null: the sample voting app in service/. */
  services: ServicesSchema.nullable().default(null),
  release,
  firewall,
  alerts,
  notifications: NotificationSettingsSchema,
  canary: CanarySettingsSchema,
  rollback: RollbackSettingsSchema,
  schedule: ScheduleSettingsSchema,
  domain,
  synthetics,
  shell,
  cost: CostAssumptionsSchema,
  chatops: ChatOpsSettingsSchema,
});

export const StageSettingsSchema = stageFields.transform(withPublicServiceAtStageLevel).superRefine((s, ctx) => {
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

  if (s.kind === "production") {
    if (s.schedule.enabled) problem(["schedule", "enabled"], "a production stage is never scheduled down");
    if (s.database.enabled) productionDatabaseProblems(s.database, problem);
    if (s.network.natGateways < s.network.availabilityZones)
      problem(["network", "natGateways"], "production needs one NAT gateway per availability zone");
    if (s.service.minTasks < 2) problem(["service", "minTasks"], "production needs at least 2 tasks");
    if (!s.notifications.emailSeverities.includes("critical"))
      problem(["notifications", "emailSeverities"], "production must e-mail critical messages to on-call");
    for (const permission of RELEASE_CHANGING_PERMISSIONS)
      if (s.chatops.allow[permission].anyone)
        problem(
          ["chatops", "allow", permission, "anyone"],
          "a production release changed from Slack must name its people (users or groups)",
        );
  }
  if (s.services) servicesProblems(s.services, s.service, s.database.enabled, problem);
  else if (!s.database.enabled)
    problem(
      ["database", "enabled"],
      "the sample voting app (no services named) keeps its polls in the database: name your services to run without one",
    );
  if (s.stage === "prod" && s.kind !== "production") problem(["kind"], 'the stage named "prod" must be of kind production');
  if (s.network.shared !== null && s.kind !== "development")
    problem(["network", "shared"], `a ${s.kind} stage keeps a network of its own: only a development stage may share one`);
  if (s.network.shared === s.stage) problem(["network", "shared"], "a stage cannot share its own network: use null");
  if (s.network.natGateways > s.network.availabilityZones)
    problem(["network", "natGateways"], `must not exceed availabilityZones (${s.network.availabilityZones})`);
  if (s.database.maxAllocatedStorageGiB < s.database.allocatedStorageGiB)
    problem(["database", "maxAllocatedStorageGiB"], `must be at least allocatedStorageGiB (${s.database.allocatedStorageGiB})`);
  // A team's services are each checked with their own size over the stage's (servicesProblems).
  if (!s.services) sizingProblems(s.service, ["service"], problem);
  if (s.release.canaryPercent === 100 && s.release.canaryMinutes !== 1)
    problem(["release", "canaryMinutes"], "must be 1 when canaryPercent is 100 (all at once has no canary window)");
  if (s.release.canaryPercent === 100 && s.canary.watch.enabled)
    problem(["canary", "watch", "enabled"], "must be false when canaryPercent is 100 (all at once has no canary window to watch)");
  if (s.release.controller === "ecs") ecsControllerProblems(s, problem);
  if (approvalGateAt(s)) {
    if (s.notifications.slack.mode !== "web-api")
      problem(
        ["canary", "approval", "enabled"],
        "needs Slack through the Web API (notifications.slack.mode): a webhook message has no buttons",
      );
    const approvers = s.chatops.allow.approve;
    if (!approvers.anyone && !approvers.users.length && !approvers.groups.length)
      problem(
        ["chatops", "allow", "approve"],
        "names no one while the approval gate is on: every release would wait for its deadline and take the default (name approvers, or set canary.approval.enabled to false)",
      );
  }
  if (s.schedule.wakeAt >= s.schedule.sleepAt)
    problem(["schedule", "sleepAt"], `must be later than wakeAt (${s.schedule.wakeAt}): working hours across midnight are not supported`);
  if (new Set(s.schedule.workingDays).size !== s.schedule.workingDays.length) problem(["schedule", "workingDays"], "names a day twice");
});

export type StageSettings = z.infer<typeof StageSettingsSchema>;

/**
 * A team's public service takes the place the voting app has at stage level: its port and sizing are the stage's
 * `service`, its smoke checks and comparison path the canary's, its synthetic flow the stage's synthetic user. So the
 * release, the canary hooks and the watch read what they always read, about the service that is deployed.
 */
function withPublicServiceAtStageLevel<S extends z.output<typeof stageFields>>(s: S): S {
  const web = s.services && publicService(s.services);
  if (!s.services || !web) return s;
  // Every service's size in full, from the stage's sizing as written: the stage's `service` becomes the public one's.
  const services = Object.fromEntries(Object.entries(s.services).map(([name, d]) => [name, { ...d, size: sizingOf(d, s.service) }]));
  const healthCheck = {
    name: "health",
    method: "GET" as const,
    path: web.health.path,
    body: null,
    expectStatus: 200,
    bodyMatch: null,
    latencyBudgetMs: 1000,
    headers: {},
  };
  return {
    ...s,
    services,
    service: sizingOf(web, s.service),
    canary: {
      ...s.canary,
      smoke: web.smoke ?? [healthCheck],
      readyPath: web.health.path,
      comparison: { ...s.canary.comparison, path: web.compare?.path ?? web.health.path },
    },
    synthetics: { ...s.synthetics, enabled: s.synthetics.enabled && web.synthetic !== null },
  };
}

function productionDatabaseProblems(d: z.output<typeof database>, problem: (path: (string | number)[], message: string) => void) {
  if (!d.deletionProtection) problem(["database", "deletionProtection"], "must be true in production");
  if (!d.multiAz) problem(["database", "multiAz"], "must be true in production");
  if (d.backupRetentionDays < 7) problem(["database", "backupRetentionDays"], "must be at least 7 in production");
}

/** What ECS's own blue/green cannot do of what the stage asks for. */
function ecsControllerProblems(
  s: Pick<StageSettings, "release" | "canary" | "chatops">,
  problem: (path: (string | number)[], message: string) => void,
) {
  const { canaryMinutes, blueTerminationWaitMinutes } = s.release;
  if (canaryMinutes > ECS_MAX_BAKE_MINUTES)
    problem(["release", "canaryMinutes"], `must be at most ${ECS_MAX_BAKE_MINUTES} with the ecs controller (its canary bake time)`);
  if (blueTerminationWaitMinutes > ECS_MAX_BAKE_MINUTES)
    problem(["release", "blueTerminationWaitMinutes"], `must be at most ${ECS_MAX_BAKE_MINUTES} with the ecs controller (its bake time)`);
  if (s.release.canaryPercent < 100 && canaryMinutes + blueTerminationWaitMinutes > ECS_CLOUDFORMATION_MAX_MINUTES)
    problem(
      ["release", "blueTerminationWaitMinutes"],
      `plus canaryMinutes must be at most ${ECS_CLOUDFORMATION_MAX_MINUTES} with the ecs controller: CloudFormation refuses a longer ECS canary`,
    );
  if (approvalGateAt(s))
    problem(
      ["canary", "approval", "enabled"],
      "the approval gate needs an ECS pause hook, which AWS::ECS::Service's LifecycleHooks cannot declare yet (no TargetType in CloudFormation's schema): keep release.controller codedeploy on a gated stage, or turn the gate off",
    );
}

/** The hook at which a release waits for a person: where the stage has the gate and Slack can take the answer; else null. */
export function approvalGateAt(s: Pick<StageSettings, "canary" | "chatops">): StageSettings["canary"]["approval"]["hook"] | null {
  return s.canary.approval.enabled && slackConnected(s.chatops) ? s.canary.approval.hook : null;
}
/** What a caller may override: any field, at any depth. */
export type StageSettingsOverrides = DeepPartial<Omit<StageSettings, "stage">>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;
