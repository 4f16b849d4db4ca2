import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The import rules of docs/architecture.md, shown to bite: Biome's noRestrictedImports (biome.json) and
 * dependency-cruiser's no-circular (.dependency-cruiser.cjs) run on probe files laid out as the repository is, with
 * the repository's own rule configuration, and on the tree itself.
 * https://biomejs.dev/linter/rules/no-restricted-imports/
 * https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = (name: string) => path.join(ROOT, "node_modules/.bin", name);

interface BiomeDiagnostic {
  category: string;
  message: string;
  location: { path: string };
}

async function output(command: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await run(command, args, { cwd, maxBuffer: 32 * 1024 * 1024 })).stdout;
  } catch (error) {
    // Both tools exit non-zero when they find a violation; their report is still on stdout.
    return (error as { stdout: string }).stdout;
  }
}

let probes: string;

beforeAll(async () => {
  probes = await mkdtemp(path.join(tmpdir(), "import-rules-"));
  const config = JSON.parse(await readFile(path.join(ROOT, "biome.json"), "utf8"));
  // The rules as they are; only which files a run looks at (git's ignore file, the tree's own folders) is left out.
  const { vcs: _vcs, files: _files, ...rules } = config;
  await writeFile(
    path.join(probes, "biome.json"),
    JSON.stringify({ ...rules, $schema: path.join(ROOT, "node_modules/@biomejs/biome/configuration_schema.json") }),
  );
});

afterAll(async () => {
  await rm(probes, { recursive: true, force: true });
});

async function lint(file: string, source: string): Promise<BiomeDiagnostic[]> {
  const dir = await mkdtemp(path.join(probes, "case-"));
  await writeFile(path.join(dir, "biome.json"), await readFile(path.join(probes, "biome.json")));
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), source);
  const report = JSON.parse(await output(BIN("biome"), ["lint", "--reporter=json", file], dir));
  return (report.diagnostics as BiomeDiagnostic[]).filter((d) => d.category === "lint/style/noRestrictedImports");
}

describe("Biome's import rules", () => {
  const refused: [rule: string, file: string, source: string, says: RegExp][] = [
    [
      "an SDK outside an adapter",
      "packages/core/src/rollback/decide.ts",
      'import { ECSClient } from "@aws-sdk/client-ecs";\nexport const c = ECSClient;\n',
      /Only adapter files/,
    ],
    [
      "Slack's SDK in a decision",
      "packages/core/src/notify/message.ts",
      'import { WebClient } from "@slack/web-api";\nexport const c = WebClient;\n',
      /Only adapter files/,
    ],
    [
      "an SDK's re-export (core/aws/sdk) outside an adapter",
      "packages/core/src/rollback/decide.ts",
      'export const load = () => import("../aws/sdk/ecs");\n',
      /Only adapter files/,
    ],
    [
      "an SDK loaded lazily by a handler",
      "functions/rollback.ts",
      'export const load = () => import("@aws-sdk/client-ecs");\n',
      /Only adapter files/,
    ],
    [
      "another area's adapter, relatively",
      "packages/core/src/rollback/aws-ecs-rollbacks.ts",
      'import { ecsCanary } from "../canary/aws-ecs-canary";\nexport const c = ecsCanary;\n',
      /never its adapters/,
    ],
    [
      "another area's adapter, by the package name",
      "packages/core/src/schedule/run.ts",
      'import { ecsCanary } from "@hands-off-ops/core/canary/aws-ecs-canary";\nexport const c = ecsCanary;\n',
      /never its adapters/,
    ],
    [
      "another area's Slack adapter",
      "packages/core/src/notify/deliver.ts",
      'import { slackGroups } from "../chatops/slack-groups";\nexport const c = slackGroups;\n',
      /never its adapters/,
    ],
    [
      "the stacks from a handler",
      "functions/notify.ts",
      'import { stageSettings } from "../stacks/config";\nexport const c = stageSettings;\n',
      /functions\/ imports packages\/core only/,
    ],
    [
      "the CLI from the stacks",
      "stacks/Automation.ts",
      'import { main } from "../packages/cli/src/ops/main";\nexport const c = main;\n',
      /Nothing imports the CLI/,
    ],
    [
      "the CLI from core",
      "packages/core/src/canary/hook.ts",
      'import { x } from "@hands-off-ops/cli/src/ops/main";\nexport const c = x;\n',
      /Nothing imports the CLI/,
    ],
  ];
  it.each(refused)("refuses %s", async (_rule, file, source, says) => {
    const found = await lint(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(says);
  });

  const allowed: [what: string, file: string, source: string][] = [
    [
      "an SDK in an area's adapter",
      "packages/core/src/rollback/aws-new-port.ts",
      'import { ECSClient } from "@aws-sdk/client-ecs";\nexport const c = ECSClient;\n',
    ],
    [
      "an SDK's re-export loaded by an area's adapter at its first call",
      "packages/core/src/rollback/aws-new-port.ts",
      'export const load = () => import("../aws/sdk/ecs");\n',
    ],
    [
      "an SDK in the shared AWS folder",
      "packages/core/src/aws/clients.ts",
      'import { ECSClient } from "@aws-sdk/client-ecs";\nexport const c = ECSClient;\n',
    ],
    [
      "another area's model and ports",
      "packages/core/src/rollback/run.ts",
      'import type { SlackRef } from "../notify/incident";\nimport type { SlackPort } from "../notify/ports";\nexport type C = SlackRef | SlackPort;\n',
    ],
    [
      "the shared AWS code from an area",
      "packages/core/src/canary/aws-ecs-canary.ts",
      'import { stopWithRollback } from "../aws/release-stops";\nexport const c = stopWithRollback;\n',
    ],
    [
      "an area's adapter from a handler",
      "functions/rollback.ts",
      'export const load = () => import("@hands-off-ops/core/rollback/aws-ledger");\n',
    ],
    ["the CLI from a test", "tests/unit/ops.test.ts", 'import { x } from "../../packages/cli/src/ops/main";\nexport const c = x;\n'],
    ["an SDK in a test", "tests/unit/fake.test.ts", 'import { ECSClient } from "@aws-sdk/client-ecs";\nexport const c = ECSClient;\n'],
  ];
  it.each(allowed)("allows %s", async (_what, file, source) => {
    expect(await lint(file, source)).toEqual([]);
  });
});

describe("dependency-cruiser's rules: no circles, and each package declares what it imports", () => {
  const cruise = async (cwd: string, paths: string[]) => {
    const report = JSON.parse(
      await output(BIN("depcruise"), ["--config", path.join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json", ...paths], cwd),
    );
    return report.summary.violations as { rule: { name: string }; from: string; cycle?: { name: string }[] }[];
  };

  it("finds a circle of two files", { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(probes, "circle-"));
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "ESNext", moduleResolution: "bundler" } }),
    );
    await writeFile(path.join(dir, "decide.ts"), 'import type { Facts } from "./present";\nexport interface Decision { facts: Facts }\n');
    await writeFile(
      path.join(dir, "present.ts"),
      'import type { Decision } from "./decide";\nexport interface Facts { last: Decision | null }\n',
    );
    const violations = await cruise(dir, ["."]);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.rule.name).toBe("no-circular");
    // dependency-cruiser names the loop once, from one of its files, back to that file.
    expect(new Set([violations[0]?.from, ...(violations[0]?.cycle ?? []).map((step) => step.name)])).toEqual(
      new Set(["decide.ts", "present.ts"]),
    );
  });

  it("finds a workspace package importing what its own package.json does not declare", { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(probes, "manifest-"));
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "ESNext", moduleResolution: "bundler" } }),
    );
    await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    await mkdir(path.join(dir, "packages/tool/src"), { recursive: true });
    await writeFile(path.join(dir, "packages/tool/package.json"), JSON.stringify({ name: "tool", dependencies: { zod: "4.6.7" } }));
    await writeFile(
      path.join(dir, "packages/tool/src/main.ts"),
      'import { DateTime } from "luxon";\nimport * as z from "zod";\nexport const x = [DateTime, z];\n',
    );
    const violations = await cruise(dir, ["packages"]);
    expect(violations.map((v) => [v.rule.name, v.from])).toEqual([["declared-dependencies", "packages/tool/src/main.ts"]]);
  });

  it("finds none in the tree", { timeout: 60_000 }, async () => {
    expect(await cruise(ROOT, ["packages/core/src", "packages/cli/src", "functions", "stacks", "bench", "sst.config.ts"])).toEqual([]);
  });
});
