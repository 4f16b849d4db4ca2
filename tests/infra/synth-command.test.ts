import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deployedFunctions } from "./lambda-bundles";
import { stageTemplates } from "./stage-templates";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Where the machine allows it (root on Linux, as in CI), the command runs in a network namespace with no network at all. */
const NO_NETWORK = spawnSync("unshare", ["--net", "true"]).status === 0 ? ["unshare", "--net"] : [];

/** Runs the synth command as `npm run synth -- <args>` does, without AWS credentials. */
function synth(...args: string[]) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "", NODE_ENV: "" };
  const [command = process.execPath, ...prefix] = [...NO_NETWORK, process.execPath];
  const run = spawnSync(command, [...prefix, "--import", "tsx", "packages/cli/src/synth/main.ts", ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run synth", () => {
  it("builds each bundle once per process and gives every stage the templates it gets alone, asset hashes included", () => {
    // The global setup synthesized prod first, in one process: dev's bundles there are copies of prod's (build-once.ts).
    const out = mkdtempSync(path.join(tmpdir(), "synth-alone-"));
    expect(synth("--stage", "dev", "--out", out).status).toBe(0);
    const alone = readdirSync(path.join(out, "dev")).filter((file) => file.endsWith(".template.json"));
    const together = stageTemplates("dev").stacks;
    expect(alone.sort()).toEqual(together.map((s) => path.basename(s.templateFile)).sort());
    for (const stack of together)
      expect(readFileSync(path.join(out, "dev", path.basename(stack.templateFile)), "utf8"), stack.name).toBe(
        readFileSync(stack.templateFile, "utf8"),
      );
  });

  it("runs no npm install in a bundle with nothing to install (empty-install.ts): SST's package.json, no lockfile", () => {
    const functions = deployedFunctions();
    expect(functions.length).toBeGreaterThan(0);
    for (const { fn, outdir, handler } of functions) {
      const bundle = path.join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
      expect(JSON.parse(readFileSync(path.join(bundle, "package.json"), "utf8")), handler).toEqual({ dependencies: {} });
      expect(existsSync(path.join(bundle, "package-lock.json")), handler).toBe(false);
    }
  });

  it(`synthesizes a preview stage ${NO_NETWORK.length ? "with no network" : "offline"}, prints the summary and writes the templates`, () => {
    const out = mkdtempSync(path.join(tmpdir(), "synth-"));
    const run = synth("--stage", "pr-42", "--out", out);
    expect(run.stderr).not.toMatch(/error/i);
    // Printed by aws-sdk v2, which SST loads; nothing of ours uses it.
    expect(run.stderr).not.toContain("AWS SDK for JavaScript (v2)");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Synthesizing stage pr-42 (offline, no AWS account)");
    expect(run.stdout).toMatch(/\[6\/6\] pr-42-hands-off-ops-\w+ +\d+ resources {2}cdk-nag ok/);
    expect(run.stdout).toMatch(/Stage pr-42 \(development, eu-central-1\): 6 stacks, \d+ resources/);
    expect(run.stdout).toContain("cdk-nag AwsSolutions: 0 errors, 0 warnings");
    expect(run.stdout).toMatch(/AwsSolutions-RDS10: Stage pr-42 is disposable/);
    expect(run.stdout).toMatch(/^Resources by type +pr-42$/m);
    expect(run.stdout).toMatch(/^database.multiAz +true +false +false +false$/m);
    expect(readdirSync(path.join(out, "pr-42")).filter((f) => f.endsWith(".template.json"))).toHaveLength(6);
  });

  it("prints only the cost table with --cost-only, and refuses it together with --diff", () => {
    const out = mkdtempSync(path.join(tmpdir(), "synth-"));
    const run = synth("--stage", "pr-9", "--out", out, "--cost-only");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Monthly cost of stage pr-9 \(eu-central-1, on-demand, USD; prices checked \d{4}-\d{2}\)$/m);
    expect(run.stdout).toMatch(/^ {2}Total with the schedule +\$\d+\.\d{2}$/m);
    expect(run.stdout).not.toContain("Resources by type");
    expect(run.stdout).not.toMatch(/\[\d\/6\]/);
    const both = synth("--stage", "pr-9", "--cost-only", "--diff", "HEAD");
    expect([both.status, both.stderr.split("\n")[0]]).toEqual([2, "--cost-only and --diff are separate views: give one."]);
  });

  it("names the stage and the reason when the stage name is not usable", () => {
    const run = synth("--stage", "Feature_X");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Stage "Feature_X": the name must be lower-case letters');
  });

  it("explains its usage on an unknown option", () => {
    const run = synth("--stages", "prod");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("usage: npm run synth -- [--stage <name>]");
  });
});
