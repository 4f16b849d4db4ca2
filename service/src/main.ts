import { setTimeout as sleep } from "node:timers/promises";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db.js";
import { RequestMetrics } from "./metrics.js";
import { migrate } from "./migrations.js";

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
  const db = await openDatabase(config.database);
  const metrics = new RequestMetrics(config.stage);
  const { server, drain } = buildApp(config, db, { metrics });
  const flushMetrics = () => metrics.flush().catch((error) => server.log.warn({ err: error }, "metrics not written"));
  setInterval(flushMetrics, METRICS_WINDOW_MS).unref();
  if (config.migrateOnStart) {
    const applied = await migrate(db);
    server.log.info({ applied, database: db.kind }, "schema migrated");
  }

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
    await sleep(config.drainDelayMs);
    await server.close();
    await flushMetrics();
    await db.close();
    server.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  await server.listen({ port: config.port, host: config.host });
  server.log.info({ stage: config.stage, database: db.kind }, "ready");
}

await main();
