import * as z from "zod";

/** The service's settings, all from the environment, validated once at start. */
const Environment = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    HOST: z.string().default("0.0.0.0"),
    STAGE: z.string().default("local"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** PostgreSQL: DATABASE_URL, or the PG* variables the ECS task definition sets. Neither: embedded PGlite. */
    DATABASE_URL: z.string().optional(),
    PGHOST: z.string().optional(),
    /** libpq's variable: "require" encrypts the connection (the RDS parameter group refuses any other). */
    PGSSLMODE: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]).optional(),
    /** Where PGlite keeps its data; in memory when unset. */
    PGLITE_DIR: z.string().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /** Migrate the schema before listening (the default for the embedded database). */
    MIGRATE_ON_START: z.enum(["true", "false"]).optional(),
    /** Stop within this many ms of SIGTERM; ECS kills the task 30 s after it. */
    SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(1000).max(120_000).default(25_000),
    /** After SIGTERM, keep answering (with Connection: close, /ready 503) this long before closing the listener. */
    DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    /** Release drills: share of requests answered 500, and added latency. Refused in prod. */
    FAULT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
    FAULT_DELAY_MS: z.coerce.number().int().min(0).max(30_000).default(0),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
  })
  .superRefine((env, ctx) => {
    if (env.DRAIN_DELAY_MS >= env.SHUTDOWN_DEADLINE_MS) {
      ctx.addIssue({ code: "custom", path: ["DRAIN_DELAY_MS"], message: "must be shorter than SHUTDOWN_DEADLINE_MS" });
    }
    if (env.STAGE === "prod" && (env.FAULT_ERROR_RATE > 0 || env.FAULT_DELAY_MS > 0)) {
      ctx.addIssue({ code: "custom", path: ["FAULT_ERROR_RATE"], message: "fault injection is refused in prod" });
    }
  });

export interface ServiceConfig {
  port: number;
  host: string;
  stage: string;
  logLevel: z.infer<typeof Environment>["LOG_LEVEL"];
  database: { kind: "postgres"; connectionString?: string; poolSize: number; tls?: boolean } | { kind: "pglite"; dataDir?: string };
  migrateOnStart: boolean;
  shutdownDeadlineMs: number;
  drainDelayMs: number;
  faults: { errorRate: number; delayMs: number };
  bodyLimitBytes: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid service configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  const postgres = Boolean(e.DATABASE_URL || e.PGHOST);
  return {
    port: e.PORT,
    host: e.HOST,
    stage: e.STAGE,
    logLevel: e.LOG_LEVEL,
    database: postgres
      ? { kind: "postgres", connectionString: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, tls: e.PGSSLMODE === "require" }
      : { kind: "pglite", dataDir: e.PGLITE_DIR },
    migrateOnStart: e.MIGRATE_ON_START ? e.MIGRATE_ON_START === "true" : !postgres,
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,
    drainDelayMs: e.DRAIN_DELAY_MS,
    faults: { errorRate: e.FAULT_ERROR_RATE, delayMs: e.FAULT_DELAY_MS },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
  };
}
