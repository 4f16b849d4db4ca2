/**
 * npm run bench:lambda [-- --runs N]
 *
 * What each Lambda costs before it handles its first event: the bundle
 * exactly as `sst deploy` uploads it (prod's functions, and dev's for the
 * sleep schedule, synthesized offline), its size, and the time a bare Node
 * takes to import it, measured side by side with `node -e 0` in the same
 * run (interleaved, median of N). Goal (issue #10): every handler at most
 * 400 KB and 1.5× a bare start. Prints figures; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

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

interface Bundle {
  handler: string;
  file: string;
  bytes: number;
  assetBytes: number;
}

type Resource = { Type: string; Properties: { Handler?: string; Code?: { S3Key?: string } } };
const bundles = new Map<string, Bundle>();
for (const stage of ["prod", "dev"]) {
  const dir = path.join(out, stage);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".template.json"))) {
    const template = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { Resources: Record<string, Resource> };
    for (const resource of Object.values(template.Resources)) {
      const handler = resource.Properties?.Handler ?? "";
      if (resource.Type !== "AWS::Lambda::Function" || !handler.startsWith("functions/") || bundles.has(handler)) continue;
      const asset = path.join(dir, `asset.${String(resource.Properties.Code?.S3Key).replace(/\.zip$/, "")}`);
      const entry = path.join(asset, `${handler.split(".")[0]}.mjs`);
      bundles.set(handler, { handler, file: entry, bytes: statSync(entry).size, assetBytes: folderBytes(asset) });
    }
  }
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

function timeNode(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1" } });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${run.stderr}`);
  return elapsed;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

console.log(`Lambda bundles (prod, and dev's schedule), ${runs} runs each, node ${process.version}, ${process.platform}/${process.arch}\n`);
console.log(
  `${"handler".padEnd(32)}${"bundle".padStart(10)}${"asset".padStart(10)}${"import".padStart(10)}${"bare".padStart(9)}${"ratio".padStart(8)}`,
);
for (const bundle of [...bundles.values()].sort((a, b) => a.handler.localeCompare(b.handler))) {
  const bare: number[] = [];
  const imported: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode(["-e", "0"]));
    imported.push(timeNode(["--input-type=module", "-e", `await import(${JSON.stringify(bundle.file)})`]));
  }
  const ratio = median(imported) / median(bare);
  console.log(
    `${bundle.handler.padEnd(32)}${kb(bundle.bytes).padStart(10)}${kb(bundle.assetBytes).padStart(10)}${`${median(imported).toFixed(0)} ms`.padStart(10)}${`${median(bare).toFixed(0)} ms`.padStart(9)}${`${ratio.toFixed(2)}×`.padStart(8)}`,
  );
}
console.log("\nbundle: the handler's .mjs; asset: everything uploaded with it (source map included).");
rmSync(out, { recursive: true, force: true });
