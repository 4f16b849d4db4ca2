import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyBaseLogger } from "fastify";
import pRetry from "p-retry";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig, type ServiceConfig } from "./config.js";
import { type Database, openDatabase } from "./db.js";
import { REVISION_FLUSH_MS, RequestMetrics } from "./metrics.js";
import { migrate } from "./migrations.js";
import { rotatingPassword } from "./rotating-password.js";
import { taskDefinitionRevision } from "./task-revision.js";

const METRICS_WINDOW_MS = 60_000;

/**
 * Starts the service. On SIGTERM (ECS stopping the task, after the load
 * balancer has drained it): /ready turns 503 and every response asks its
 * client to close the connection, for DRAIN_DELAY_MS, so that no keep-alive
 * connection is left to race with a new request; then the listener closes,
 * in-flight requests finish, the pool closes, and the process exits before
 * the deadline, or is ended at it.
 */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  // The pool reports connections the database ended (restart, failover): logged, never fatal; the next request reconnects.
  const db = await openDatabase(
    config.database,
    (error) => server.log.warn({ err: error }, "database connection lost; reconnecting on the next request"),
    await secretPassword(config.database, (error) => server.log.warn({ err: error }, "database secret not read")),
  );
  // Read once: the per-revision metrics (the canary watch's fast path) need it; without it they are not written.
  let revisionError: unknown;
  const revision = await taskDefinitionRevision().catch((error) => {
    revisionError = error;
    return null;
  });
  const metrics = new RequestMetrics(config.stage, Math.random, revision);
  let migrated = !config.migrateOnStart;
  const { server, drain } = buildApp(config, db, { metrics, schemaReady: () => migrated });
  if (revisionError) server.log.warn({ err: revisionError }, "task definition revision not read: no per-revision metrics");
  const flushMetrics = () => metrics.flush().catch((error) => server.log.warn({ err: error }, "metrics not written"));
  const flushRevision = () => metrics.flushRevision().catch((error) => server.log.warn({ err: error }, "revision metrics not written"));
  setInterval(flushMetrics, METRICS_WINDOW_MS).unref();
  if (revision) setInterval(flushRevision, REVISION_FLUSH_MS).unref();
  const migration = new AbortController();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal, deadlineMs: config.shutdownDeadlineMs }, "stopping");
    setTimeout(() => {
      server.log.error("shutdown deadline reached, exiting with requests still open");
      process.exit(1);
    }, config.shutdownDeadlineMs).unref();
    drain();
    migration.abort();
    await sleep(config.drainDelayMs);
    await server.close();
    await flushMetrics();
    await flushRevision();
    await db.close();
    server.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  // Migrate before listening, so that the load balancer never sends a request to an unmigrated schema. If the
  // database cannot be reached yet (a stage waking up in the morning), listen anyway and keep trying: the task waits
  // for its database, answering /ready with 503, instead of crash-looping.
  const migrateNow = config.migrateOnStart ? await migrateOnce(db, server.log) : null;
  if (migrateNow) migrated = true;
  await server.listen({ port: config.port, host: config.host });
  server.log.info({ stage: config.stage, database: db.kind, migrated }, "listening");
  if (!migrated) {
    const applied = await migrateWhenReachable(db, server.log, migration.signal).catch((error) => {
      if (!migration.signal.aborted) throw error;
      return null;
    });
    if (applied) {
      migrated = true;
      server.log.info({ applied, database: db.kind }, "schema migrated");
    }
  }
}

/** Only with PGSECRET_ARN: the SDK is loaded then, so local runs and PGlite start without it. */
async function secretPassword(database: ServiceConfig["database"], onReadFailed: (error: unknown) => void) {
  if (database.kind !== "postgres" || !database.passwordSecretArn) return undefined;
  const { secretPasswordReader } = await import("./secrets-manager.js");
  return rotatingPassword(secretPasswordReader(database.passwordSecretArn), { onReadFailed });
}

async function migrateOnce(db: Database, log: FastifyBaseLogger): Promise<string[] | null> {
  try {
    const applied = await migrate(db);
    log.info({ applied, database: db.kind }, "schema migrated");
    return applied;
  } catch (error) {
    log.warn({ err: error }, "database not reachable yet: listening, and migrating when it is");
    return null;
  }
}

function migrateWhenReachable(db: Database, log: FastifyBaseLogger, signal: AbortSignal) {
  return pRetry(() => migrate(db), {
    forever: true,
    minTimeout: 1000,
    maxTimeout: 15_000,
    signal,
    onFailedAttempt: (error) => log.warn({ err: error, attempt: error.attemptNumber }, "database not reachable yet: migrating when it is"),
  });
}

await main();
