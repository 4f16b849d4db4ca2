/**
 * npm run bench:lambda [-- --runs N]
 *
 * What each Lambda costs before it handles its first event: the bundle
 * exactly as `sst deploy` uploads it (prod's functions, dev's for the
 * sleep schedule, and prod's with release.controller ecs for its lifecycle
 * hook, synthesized offline) and the time a bare Node takes to
 * import it, measured side by side with `node -e 0` in the same run
 * (interleaved; min/median/max of N, ratios of the medians). Goal (issue #10): every handler at most
 * 400 KB and 1.5× a bare start. Prints figures; asserts nothing.
 *
 * Adapters are split into chunks loaded at their first call, so two figures
 * per handler: "entry" is what the import loads (the handler and the chunks
 * it imports statically); "all" also loads every chunk the handler can
 * import later — an upper bound on what a first event that calls every AWS
 * API adds. Moving work from the import to the first event does not make a
 * cold start shorter, so both are printed.
 *
 * Then a cold start as it happens: a fresh Node imports the bundle and
 * handles the event the function exists for (a release alarm, a lifecycle
 * hook with its 200 + 200 comparison, a schedule check…), its AWS calls
 * answered by a local stand-in. Its CPU time and peak memory are what the
 * memory size of each function is chosen from (Lambda gives a function CPU
 * in proportion to its memory: one vCPU at 1,769 MB).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { AwsStandIn } from "../tests/helpers/aws-stand-in";
import { type Invocation, invokeBundle } from "../tests/helpers/invoke-bundle";
import { environmentOf, type Resource } from "../tests/helpers/lambda-bundle-files";
import { mainEvent } from "../tests/helpers/lambda-main-events";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new Error(`--runs must be a whole number of at least 3 (got ${values.runs})`);

const root = path.resolve(import.meta.dirname, "..");
const out = mkdtempSync(path.join(tmpdir(), "bench-lambda-"));
const synth = spawnSync(
  process.execPath,
  ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "prod", "--stage", "dev", "--out", out],
  { cwd: root, encoding: "utf8" },
);
if (synth.status !== 0) throw new Error(`synth failed:\n${synth.stderr}`);
// prod again with ECS running its releases: the one function only such a stage has (functions/ecs-hook.ts).
const ecsSettings = path.join(out, "ops.settings.json");
writeFileSync(ecsSettings, JSON.stringify({ prod: { release: { controller: "ecs" } } }));
const ecsSynth = spawnSync(
  process.execPath,
  ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "prod", "--out", path.join(out, "ecs")],
  {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, OPS_SETTINGS_FILE: ecsSettings },
  },
);
if (ecsSynth.status !== 0) throw new Error(`synth of prod with ecs failed:\n${ecsSynth.stderr}`);

interface Bundle {
  handler: string;
  file: string;
  resource: Resource;
  /** Every chunk of the handler's asset, the entry first. */
  chunks: string[];
  entryBytes: number;
  allBytes: number;
}

const bundles = new Map<string, Bundle>();
for (const stage of ["prod", "dev", "ecs/prod"]) {
  const dir = path.join(out, stage);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".template.json"))) {
    const template = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { Resources: Record<string, Resource> };
    for (const resource of Object.values(template.Resources)) {
      const handler = String(resource.Properties?.Handler ?? "");
      if (resource.Type !== "AWS::Lambda::Function" || !handler.startsWith("functions/") || bundles.has(handler)) continue;
      const asset = path.join(dir, `asset.${String(resource.Properties.Code?.S3Key).replace(/\.zip$/, "")}`);
      const entry = path.join(asset, `${handler.split(".")[0]}.mjs`);
      const chunks = [entry, ...modulesIn(asset).filter((file) => file !== entry)];
      bundles.set(handler, {
        handler,
        file: entry,
        resource,
        chunks,
        entryBytes: bytesOf(staticClosure(entry)),
        allBytes: bytesOf(chunks),
      });
    }
  }
}

function modulesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".mjs"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The module and the chunks it imports statically (esbuild writes them as `import{…}from"./chunk-….mjs"`), transitively. */
function staticClosure(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [...seen];
  seen.add(file);
  const source = readFileSync(file, "utf8");
  for (const [, chunk] of source.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["'](\.\/[^"']+)["']/g)) {
    staticClosure(path.join(path.dirname(file), chunk as string), seen);
  }
  return [...seen];
}

function bytesOf(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

function timeNode(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1" } });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${run.stderr}`);
  return elapsed;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
/** "min/median/max" of the samples, in whole milliseconds. */
const spread = (samples: number[]) => [Math.min(...samples), median(samples), Math.max(...samples)].map((v) => v.toFixed(0)).join("/");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

console.log(
  `Lambda bundles (prod, dev's schedule, prod with ecs's hook), ${runs} runs each, node ${process.version}, ${process.platform}/${process.arch}\n`,
);
console.log(
  `${"handler".padEnd(32)}${"entry".padStart(9)}${"all".padStart(9)}${"bare ms".padStart(14)}${"import ms".padStart(14)}${"ratio".padStart(7)}${"all ms".padStart(14)}${"ratio".padStart(7)}`,
);
const ms = (value: number) => `${value.toFixed(0)} ms`;
for (const bundle of [...bundles.values()].sort((a, b) => a.handler.localeCompare(b.handler))) {
  const bare: number[] = [];
  const imported: number[] = [];
  const everything: number[] = [];
  const importAll = `for (const file of ${JSON.stringify(bundle.chunks)}) await import(file)`;
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode(["-e", "0"]));
    imported.push(timeNode(["--input-type=module", "-e", `await import(${JSON.stringify(bundle.file)})`]));
    everything.push(timeNode(["--input-type=module", "-e", importAll]));
  }
  const base = median(bare);
  console.log(
    `${bundle.handler.padEnd(32)}${kb(bundle.entryBytes).padStart(9)}${kb(bundle.allBytes).padStart(9)}${spread(bare).padStart(14)}${spread(imported).padStart(14)}${`${(median(imported) / base).toFixed(2)}×`.padStart(7)}${spread(everything).padStart(14)}${`${(median(everything) / base).toFixed(2)}×`.padStart(7)}`,
  );
}
console.log("\nentry: the handler's module and the chunks it imports statically; all: every chunk in its asset (source maps excluded).");
console.log("import / ratio: importing the entry; all / ratio: then every chunk it may load later, vs `node -e 0`.");
console.log("Times are min/median/max of the runs; each ratio is median over the bare start's median.");
const aws = await new AwsStandIn().start();
console.log(`\nCold start with the function's own event (AWS answered locally), ${runs} runs: median, CPU min/median/max\n`);
console.log(
  `${"handler".padEnd(32)}${"import".padStart(9)}${"event".padStart(9)}${"CPU ms".padStart(16)}${"peak RSS".padStart(10)}${"memory".padStart(9)}${"CPU at that size".padStart(19)}`,
);
for (const bundle of [...bundles.values()].sort((a, b) => a.handler.localeCompare(b.handler))) {
  const main = mainEvent(bundle.handler, aws.url);
  if (!main) continue;
  const env = environmentOf(bundle.resource);
  const figures: Invocation["figures"][] = [];
  for (let i = 0; i < runs; i++) {
    const invocation = await invokeBundle(bundle.file, bundle.handler.split(".").at(-1) as string, main.event, {
      ...aws.environment(),
      POWERTOOLS_LOG_LEVEL: "ERROR",
      ...env,
      ...main.environment(env),
    });
    figures.push(invocation.figures);
  }
  const of = (key: keyof Invocation["figures"]) => median(figures.map((f) => f[key]));
  const memory = Number(bundle.resource.Properties.MemorySize ?? 128);
  // Below 1,769 MB a function gets that fraction of one vCPU: the same work takes longer in proportion.
  const atSize = of("cpuMs") * Math.max(1, 1769 / memory);
  console.log(
    `${bundle.handler.padEnd(32)}${ms(of("importMs")).padStart(9)}${ms(of("eventMs")).padStart(9)}${spread(figures.map((f) => f.cpuMs)).padStart(16)}${`${of("maxRssMb").toFixed(0)} MB`.padStart(10)}${`${memory} MB`.padStart(9)}${`~${ms(atSize)}`.padStart(19)}`,
  );
}
await aws.stop();
console.log(
  "\nimport, event: wall time here; CPU: user + system of the whole cold start; peak RSS: the process's maximum resident memory.",
);
console.log("CPU at that size: the same CPU time at the function's memory size, where Lambda gives memory/1769 of a vCPU (an estimate).");
rmSync(out, { recursive: true, force: true });
