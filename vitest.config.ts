import { defineConfig } from "vitest/config";

// .ci/run asks for a JSON report too, to print one plain "N passed, N failed" line at the end.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    reporters: jsonReport ? ["default", "json"] : ["default"],
    outputFile: jsonReport ? { json: jsonReport } : undefined,
    projects: [
      {
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"] },
      },
      {
        test: {
          name: "infra",
          include: ["tests/infra/**/*.test.ts"],
          // Synthesizes every stage once, through the same path as `npm run synth`; the tests read the templates.
          globalSetup: ["tests/infra/synth-all-stages.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          // A throw-away PostgreSQL from the Debian package (or $TEST_DATABASE_URL).
          globalSetup: ["tests/integration/postgres-server.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
