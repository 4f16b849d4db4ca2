import * as z from "zod";
import { SmokeCheckSchema } from "./canary";

/**
 * A team's own containers (`services` in the stage settings): a map from a service's name to what it runs and how
 * it is reached. Without it, a stage deploys the sample voting app in service/ (stacks/deployed-services.ts). Read at
 * synth only. Each field has a default and the reason for it; what cannot work is refused with the setting's path
 * (servicesProblems, and the file checks in stacks/deployed-services.ts).
 */

/** A service's name becomes part of its resources' names (task family, log stream prefix, alarm names). */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** Fargate accepts only these CPU units with these memory sizes (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

/** Sizing and scaling of one service's tasks: the stage's `service` block, or each field of a service's `size`. */
export const ServiceSizingSchema = z.strictObject({
  cpu: z.number().int(),
  memoryMiB: z.number().int(),
  minTasks: z.number().int().min(0),
  maxTasks: z.number().int().min(1),
  containerPort: z.number().int().min(1024).max(65535),
  logRetentionDays: z.number().int().positive(),
  cpuTargetPercent: z.number().int().min(10).max(90),
  requestsPerTargetPerMinute: z.number().int().positive(),
});
export type ServiceSizing = z.infer<typeof ServiceSizingSchema>;

const environmentName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name such as API_URL")
  .refine((name) => !RESERVED_VARIABLES.includes(name) && !name.startsWith("PG"), {
    message: "is set by the product (PORT, STAGE, STAGE_KIND, and PG* for the database): choose another name",
  });
/** What every task is given (stacks/service-task.ts); a service's own variables may not replace them. */
const RESERVED_VARIABLES = ["PORT", "STAGE", "STAGE_KIND"];

const imageSchema = z.union([
  z.strictObject({
    /** A folder holding a Dockerfile, built by `sst deploy` for the service's architecture (as service/ is). */
    directory: z.string().min(1),
    /** Whether the image has a shell (/bin/sh): a CMD-SHELL health check needs one. */
    shell: z.boolean().default(true),
  }),
  z.strictObject({
    /** A prebuilt image, e.g. public.ecr.aws/docker/library/busybox:stable or an ECR repository's image. */
    uri: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, "must be an image URI with a tag or digest"),
    shell: z.boolean().default(true),
  }),
]);

const path = z.string().regex(/^\/[^\s]*$/, "must be a path starting with /");

const ServiceSchema = z.strictObject({
  image: imageSchema,
  /** Graviton by default: the same work for about 20 % less than x86_64 on Fargate; an x86-only image says so here. */
  architecture: z.enum(["arm64", "x86_64"]).default("arm64"),
  /** The port the container listens on; null for a worker, which serves nothing. */
  port: z.number().int().min(1024).max(65535).nullable().default(null),
  /** Replaces the image's CMD; null keeps it. */
  command: z.array(z.string().min(1)).min(1).nullable().default(null),
  /** Replaces the image's USER (e.g. "1000:1000"); null keeps it. */
  user: z
    .string()
    .regex(/^[\w.-]+(:[\w.-]+)?$/, 'must be a user, or user:group, such as "1000:1000"')
    .nullable()
    .default(null),
  /** Security Hub's ECS.5: a read-only root file system; /tmp stays writable (a task volume). */
  readOnlyRootFilesystem: z.boolean().default(true),
  /** Plain variables; anything secret goes in `secrets`. */
  environment: z.record(environmentName, z.string()).default({}),
  /** Variables from Secrets Manager, by the secret's name (and a JSON key in it): the task reads them at start. */
  secrets: z.record(environmentName, z.strictObject({ name: z.string().min(1), key: z.string().min(1).optional() })).default({}),
  /** Whether the tasks reach the stage's database (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD): off unless asked. */
  database: z.boolean().default(false),
  /** Whether the stage's load balancer sends its users to this service (one service per stage, this round). */
  public: z.boolean().default(false),
  health: z
    .strictObject({
      /** The load balancer's health check (a public service): the path must answer 200. */
      path: path.default("/health"),
      /** The container's own health check (ECS stops a task that fails it), e.g. ["CMD", "/healthcheck"]; null: none. */
      command: z
        .array(z.string().min(1))
        .min(2)
        .refine(([kind]) => kind === "CMD" || kind === "CMD-SHELL", { message: 'must start with "CMD" or "CMD-SHELL"' })
        .nullable()
        .default(null),
    })
    .prefault({}),
  /** Any field of the stage's `service` sizing, for this service alone. */
  size: ServiceSizingSchema.omit({ containerPort: true }).partial().default({}),
  /** The release's smoke checks (a public service); by default one: health.path answers 200. */
  smoke: z.array(SmokeCheckSchema).min(1).nullable().default(null),
  /** The path the release's A/B comparison sends its sample to; by default health.path. */
  compare: z.strictObject({ path }).nullable().default(null),
  /** A CloudWatch Synthetics script (a file, as synthetics/flow.js) run against the public URL; null: none. */
  synthetic: z
    .strictObject({ file: z.string().min(1) })
    .nullable()
    .default(null),
});
export type ServiceDescription = z.infer<typeof ServiceSchema>;

// Names are checked in servicesProblems: a record's key error would not say what is wrong with it.
export const ServicesSchema = z.record(z.string(), ServiceSchema);
export type Services = z.infer<typeof ServicesSchema>;

type Problem = (path: (string | number)[], message: string) => void;

/** What cannot work in a stage's services, each named by its setting. */
export function servicesProblems(services: Services, stageSizing: ServiceSizing, databaseEnabled: boolean, problem: Problem) {
  const entries = Object.entries(services);
  if (!entries.length) problem(["services"], "names no service: leave it out to deploy the sample in service/");
  const publics = entries.filter(([, s]) => s.public).map(([name]) => name);
  if (entries.length && publics.length === 0)
    problem(["services"], "has no public service: one service must have public: true (the load balancer's, the one releases go through)");
  if (publics.length > 1)
    problem(
      ["services", publics[1] ?? "", "public"],
      `only one public service per stage (${publics.join(" and ")} both are): routing by path or host between several is not supported yet`,
    );
  for (const [name, s] of entries) {
    const at = (...rest: (string | number)[]) => ["services", name, ...rest];
    if (!SERVICE_NAME.test(name))
      problem(at(), "a service's name must be lower-case letters, digits and '-', starting with a letter, 20 characters at most");
    if (s.public && s.port === null) problem(at("port"), "a public service needs the port it listens on");
    if (s.port === null) {
      if (s.smoke) problem(at("smoke"), "points at a service without a port: there is nothing to check over HTTP");
      if (s.compare) problem(at("compare"), "points at a service without a port: there is nothing to compare over HTTP");
      if (s.synthetic) problem(at("synthetic"), "points at a service without a port: a synthetic user needs a public service");
    } else if (!s.public) {
      for (const field of ["smoke", "compare", "synthetic"] as const)
        if (s[field]) problem(at(field), "runs through the load balancer's listeners: only the public service has them");
    }
    if (s.health.command?.[0] === "CMD-SHELL" && !s.image.shell)
      problem(at("health", "command"), 'is a shell command ("CMD-SHELL") and image.shell is false: use ["CMD", …] or no health command');
    sizingProblems(sizingOf(s, stageSizing), at("size"), problem);
    if (s.database && !databaseEnabled)
      problem(at("database"), "is true while database.enabled is false: the stage has no database to reach");
  }
}

/** What Fargate refuses of a task size, and a minimum above the maximum. */
export function sizingProblems(size: ServiceSizing, at: (string | number)[], problem: Problem) {
  const memories = FARGATE_MEMORY_BY_CPU[size.cpu];
  if (!memories) problem([...at, "cpu"], `must be one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`);
  else if (!memories.includes(size.memoryMiB))
    problem(
      [...at, "memoryMiB"],
      `Fargate with ${size.cpu} CPU units accepts ${memories[0]}–${memories.at(-1)} MiB (got ${size.memoryMiB})`,
    );
  if (size.minTasks > size.maxTasks) problem([...at, "minTasks"], `must not exceed maxTasks (${size.maxTasks})`);
}

/** The public service of a team's services (servicesProblems makes sure there is exactly one), or undefined. */
export function publicService(services: Services): ServiceDescription | undefined {
  return Object.values(services).find((s) => s.public);
}

/** A service's sizing: the stage's, with the service's own `size` over it. */
export function sizingOf(service: ServiceDescription, stage: ServiceSizing): ServiceSizing {
  return { ...stage, ...service.size, containerPort: service.port ?? stage.containerPort };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
