import path from "node:path";
import { defineConfig } from "vitest/config";

// The suite tests the product's own stages (stacks/config.ts DEFAULTS) and the variants each test names, never the
// team's ops.settings.json: a clone whose settings deploy the team's own services passes the same tests (issue 32).
// Tests that need settings write their own file and point OPS_SETTINGS_FILE at it; every process started inherits this.
process.env.OPS_SETTINGS_FILE = path.resolve(import.meta.dirname, "tests/fixtures/settings/product-defaults.json");

// .ci/run asks for a JSON report too, to print one plain "N passed, N failed" line at the end.
const jsonReport = process.env.VITEST_JSON_REPORT;
const TIMING_SENSITIVE = ["tests/integration/canary-hook.test.ts"];

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
          // moto: the synthesized EventBridge rules, put on an independent EventBridge.
          globalSetup: ["tests/infra/synth-all-stages.ts", "tests/peers/moto-server.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          exclude: [...TIMING_SENSITIVE],
          // A throw-away PostgreSQL from the Debian package (or $TEST_DATABASE_URL); moto for the AWS APIs it implements.
          globalSetup: ["tests/helpers/postgres-server.ts", "tests/peers/moto-server.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Verdicts that compare measured latencies: run after everything else, alone, so that other tests'
        // processes (spawned services, tsx compiles) do not skew one side of the comparison.
        test: {
          name: "integration-timing",
          include: [...TIMING_SENSITIVE],
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
