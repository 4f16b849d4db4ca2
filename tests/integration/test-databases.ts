import { randomUUID } from "node:crypto";
import { loadConfig, type PostgresSettings } from "../../service/src/config";
import { type Database, openDatabase } from "../../service/src/db";

/** The settings the service would use for this connection string, with its defaults (timeouts, keepalive, no TLS). */
export function postgresSettings(connectionString: string, environment: Record<string, string> = {}): PostgresSettings {
  const { database } = loadConfig({ DATABASE_URL: connectionString, ...environment });
  if (database.kind !== "postgres") throw new Error("a DATABASE_URL gives PostgreSQL settings");
  return database;
}

export const connectPostgres = (connectionString: string, environment: Record<string, string> = {}): Promise<Database> =>
  openDatabase(postgresSettings(connectionString, environment));

/** A new, empty database on the server at `serverUrl`; returns its URL. Suites never see each other's rows. */
export async function createDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomUUID().replaceAll("-", "")}`;
  const admin = await connectPostgres(serverUrl, { DATABASE_POOL_SIZE: "1" });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
