import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A module hook (module.register) that writes down every module the command resolves, in order. */
function moduleRecorder() {
  const dir = mkdtempSync(path.join(tmpdir(), "synth-usage-"));
  const record = path.join(dir, "modules.txt");
  writeFileSync(record, "");
  writeFileSync(
    path.join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, resolved.url + "\\n");
  return resolved;
}`,
  );
  writeFileSync(
    path.join(dir, "register.mjs"),
    `import { register } from "node:module";
register("./hooks.mjs", import.meta.url, { data: { file: ${JSON.stringify(record)} } });`,
  );
  return { register: path.join(dir, "register.mjs"), loaded: () => readFileSync(record, "utf8").split("\n").filter(Boolean) };
}

/** `npm run synth -- <args>`, recording the modules it loads. */
function synth(...args: string[]) {
  const recorder = moduleRecorder();
  const run = spawnSync(process.execPath, ["--import", "tsx", "--import", recorder.register, "packages/cli/src/synth/main.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout, loaded: recorder.loaded() };
}

/** What takes seconds to load: the stack functions and everything they bring (aws-cdk-lib, SST, CDK's diff). */
const HEAVY = /\/stacks\/|\/node_modules\/(aws-cdk-lib|sst|constructs|cdk-nag|@aws-cdk\/cloudformation-diff)\//;

describe("npm run synth, before it synthesizes anything", () => {
  it.each([
    [["--stages", "prod"], 2, "usage: npm run synth"],
    [["--stage"], 2, "usage: npm run synth"],
    [["--cost-only", "--diff", "HEAD"], 2, "--cost-only and --diff are separate views: give one."],
    [["--help"], 0, "usage: npm run synth"],
  ])("answers %j (exit %i) without loading a stack, aws-cdk-lib or SST", (args, status, message) => {
    const run = synth(...args);
    expect(run.status, run.stderr).toBe(status);
    expect(run.stderr + run.stdout).toContain(message);
    // The recorder saw the command itself and what it imports: an empty record would prove nothing.
    expect(run.loaded.some((url) => url.endsWith("/packages/cli/src/synth/main.ts"))).toBe(true);
    expect(run.loaded.filter((url) => HEAVY.test(url))).toEqual([]);
  });
});
