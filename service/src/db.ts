import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { ServiceConfig } from "./config.js";

/** What the service needs of a database: parameterized queries, a ping, a close. PostgreSQL and PGlite both provide it. */
export interface Database {
  readonly kind: "postgres" | "pglite";
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction, on one connection. */
  transaction<T>(work: (tx: Pick<Database, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openDatabase(config: ServiceConfig["database"]): Promise<Database> {
  if (config.kind === "pglite") {
    const lite = await PGlite.create(config.dataDir);
    return {
      kind: "pglite",
      query: async (text, params) => lite.query(text, params),
      transaction: (work) => lite.transaction((tx) => work({ query: async (text, params) => tx.query(text, params) })),
      close: () => lite.close(),
    };
  }
  // Without a connection string, pg reads PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGPORT itself.
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.poolSize,
    // Encrypted, but the server certificate is not verified: the RDS CA bundle is not in the image yet.
    ssl: config.tls ? { rejectUnauthorized: false } : undefined,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  return {
    kind: "postgres",
    query: async (text, params) => pool.query(text, params),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({ query: async (text, params) => client.query(text, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
