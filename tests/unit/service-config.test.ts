import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../service/src/config";

describe("service configuration", () => {
  it("runs on embedded PGlite, migrating at start, when no database is given", () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      database: { kind: "pglite" },
      migrateOnStart: true,
      faults: { errorRate: 0, delayMs: 0 },
    });
  });

  it("uses PostgreSQL from DATABASE_URL or the PG* variables of the ECS task, without migrating unless asked", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@db/app" })).toMatchObject({
      database: { kind: "postgres", connectionString: "postgres://u@db/app", poolSize: 10 },
      migrateOnStart: false,
    });
    expect(loadConfig({ PGHOST: "db.internal", MIGRATE_ON_START: "true" })).toMatchObject({
      database: { kind: "postgres" },
      migrateOnStart: true,
    });
  });

  it("names every bad variable", () => {
    expect(() => loadConfig({ PORT: "eighty", FAULT_ERROR_RATE: "2" })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: "eighty", FAULT_ERROR_RATE: "2" });
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid service configuration:\n {2}- PORT: .+\n {2}- FAULT_ERROR_RATE: .+/);
    }
  });

  it.each([[{ STAGE: "prod" }], [{ STAGE: "Prod" }], [{ STAGE: "PRODUCTION" }], [{ STAGE: "eu-live", STAGE_KIND: "production" }]])(
    "refuses the fault switches on a production stage: %o",
    (stage) => {
      expect(() => loadConfig({ ...stage, FAULT_ERROR_RATE: "0.1" })).toThrow(
        "FAULT_ERROR_RATE: fault injection is refused on a production stage",
      );
      expect(() => loadConfig({ ...stage, FAULT_DELAY_MS: "500" })).toThrow("fault injection is refused on a production stage");
    },
  );

  it("allows the fault switches on other kinds of stage, and refuses an unknown kind", () => {
    expect(loadConfig({ STAGE: "dev", FAULT_ERROR_RATE: "0.1" }).faults.errorRate).toBe(0.1);
    expect(loadConfig({ STAGE: "staging", STAGE_KIND: "staging", FAULT_DELAY_MS: "500" }).faults.delayMs).toBe(500);
    expect(() => loadConfig({ STAGE_KIND: "prod" })).toThrow(/STAGE_KIND/);
  });

  it("verifies the database's certificate with verify-full / verify-ca, which need the CA bundle's path", () => {
    expect(loadConfig({ PGHOST: "db", PGSSLMODE: "verify-full", PGSSLROOTCERT: "/etc/ssl/rds.pem" }).database).toMatchObject({
      tls: { mode: "verify-full", ca: { path: "/etc/ssl/rds.pem" } },
    });
    expect(loadConfig({ PGHOST: "db", PGSSLMODE: "verify-full", DATABASE_CA: "aws-rds" }).database).toMatchObject({
      tls: { mode: "verify-full", ca: { bundle: "aws-rds" } },
    });
    const needsOne = "PGSSLROOTCERT: PGSSLMODE=verify-ca needs one CA: a bundle's path in PGSSLROOTCERT, or DATABASE_CA=aws-rds";
    expect(() => loadConfig({ PGHOST: "db", PGSSLMODE: "verify-ca" })).toThrow(needsOne);
    expect(() => loadConfig({ PGHOST: "db", PGSSLMODE: "verify-ca", PGSSLROOTCERT: "/ca.pem", DATABASE_CA: "aws-rds" })).toThrow(needsOne);
    expect(loadConfig({ PGHOST: "db", PGSSLMODE: "require" }).database).toMatchObject({ tls: { mode: "require" } });
    expect(loadConfig({ PGHOST: "db" }).database).toMatchObject({ tls: { mode: "disable" } });
    // libpq's allow and prefer fall back to plain text when the server does not offer TLS.
    expect(() => loadConfig({ PGHOST: "db", PGSSLMODE: "prefer" })).toThrow(/PGSSLMODE/);
  });

  it("bounds every phase of a connection by default, and refuses headers allowed longer than the whole request", () => {
    expect(loadConfig({}).http).toEqual({
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 5_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 900,
    });
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "2000", HEADERS_TIMEOUT_MS: "3000" })).toThrow(
      "HEADERS_TIMEOUT_MS: must not be longer than REQUEST_TIMEOUT_MS",
    );
  });
});
