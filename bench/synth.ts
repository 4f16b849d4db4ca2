/**
 * npm run bench:synth [-- --runs N]
 *
 * How long offline synth takes as a user runs it: each named stage in its own
 * process (cold start included), then all three in one process. Prints the
 * median and range of N runs; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number (got ${values.runs})`);

const root = path.resolve(import.meta.dirname, "..");

function timeSynth(stages: string[]): number {
  const out = mkdtempSync(path.join(tmpdir(), "bench-synth-"));
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "packages/cli/src/synth/main.ts", ...stages.flatMap((s) => ["--stage", s]), "--out", out],
    { cwd: root, encoding: "utf8" },
  );
  const elapsed = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`synth of ${stages.join(", ")} failed:\n${run.stderr}`);
  return elapsed;
}

function describe(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `median ${(median / 1000).toFixed(2)} s  (min ${((sorted[0] ?? 0) / 1000).toFixed(2)}, max ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)}, n=${samples.length})`;
}

console.log(`Offline synth, ${runs} run(s) each, node ${process.version}, ${process.platform}/${process.arch}`);
const cases: [string, string[]][] = [
  ["prod", ["prod"]],
  ["staging", ["staging"]],
  ["dev", ["dev"]],
  ["prod+staging+dev, one process", ["prod", "staging", "dev"]],
];
for (const [label, stages] of cases) {
  const samples = Array.from({ length: runs }, () => timeSynth(stages));
  console.log(`  ${label.padEnd(32)} ${describe(samples)}`);
}
