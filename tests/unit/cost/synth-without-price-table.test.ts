import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");

// The one spawned synth of this area (about 15 s of CPU): the case issue 28 reported, end to end.
describe("npm run synth for a stage in a region without a price table", () => {
  it("synthesizes the stage, writes its templates and reports cdk-nag, and says the cost is not estimated (exit 0)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "synth-euw1-"));
    const settingsFile = path.join(dir, "settings.json");
    writeFileSync(settingsFile, JSON.stringify({ dev: { region: "eu-west-1" } }));
    const out = path.join(dir, "out");
    const run = spawnSync(process.execPath, ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "dev", "--out", out], {
      cwd: ROOT,
      env: {
        ...process.env,
        OPS_SETTINGS_FILE: settingsFile,
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_PROFILE: "",
        NODE_ENV: "",
      },
      encoding: "utf8",
    });
    expect(run.stderr).not.toContain("NoPriceTable");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Stage dev \(development, eu-west-1\): 6 stacks, \d+ resources/);
    expect(run.stdout).toContain("cdk-nag AwsSolutions: 0 errors, 0 warnings");
    expect(run.stdout).toContain("Monthly cost of stage dev (eu-west-1): not estimated");
    expect(run.stdout).toContain("To get one: npm run prices -- --region eu-west-1");
    expect(run.stdout).toMatch(/^OK: 1 stage\(s\) synthesized offline/m);
    expect(readdirSync(path.join(out, "dev")).filter((f) => f.endsWith(".template.json"))).toHaveLength(6);
  }, 180_000);
});
