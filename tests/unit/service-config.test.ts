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

  it("refuses fault injection in prod, allows it elsewhere", () => {
    expect(() => loadConfig({ STAGE: "prod", FAULT_ERROR_RATE: "0.1" })).toThrow("FAULT_ERROR_RATE: fault injection is refused in prod");
    expect(() => loadConfig({ STAGE: "prod", FAULT_DELAY_MS: "500" })).toThrow("fault injection is refused in prod");
    expect(loadConfig({ STAGE: "dev", FAULT_ERROR_RATE: "0.1" }).faults.errorRate).toBe(0.1);
  });
});
