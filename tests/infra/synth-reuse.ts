import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The infra tests' synthesized stages, reused by a second test run in the same checkout when nothing they are made
 * from has changed (.ci/run's Node 24 pass, a developer's second `npm test`): the global setup's ~12 synths take
 * minutes. The record, written next to .synth/test once every stage is synthesized, holds a fingerprint of the inputs
 * and what the setup provided to the tests; any change to an input gives another fingerprint and a fresh synth.
 *
 * The inputs: the content of every file git sees in the checkout (tracked or untracked, not ignored; a deleted one
 * counts as deleted), apart from what no synth reads (docs/, bench/, .github/, .ci/, and tests/ except the global
 * setup itself); the installed packages (node_modules/.package-lock.json, npm's record of the tree it installed); the
 * settings file the stacks read ($OPS_SETTINGS_FILE or ops.settings.json, even when git ignores it); and the
 * checkout's own path (the record names absolute paths). Not an input: the Node that runs the synth. The templates
 * are the stack functions' output and the bundles esbuild's (the target comes from the function's runtime), which is
 * why the Node 24 pass may test the bundles the first pass built. No git, or no npm record of node_modules: no
 * fingerprint, never a reuse. To force a fresh synth, delete the record (or .synth).
 */

export const REUSE_RECORD = path.join(".synth", "test.fingerprint.json");

/** Paths no synth reads (prefixes, relative to the root, with /). */
const NOT_INPUTS = ["docs/", "bench/", ".github/", ".ci/", "tests/"];
/** …except these: the global setup chooses the stages and their settings. */
const INPUTS_AFTER_ALL = ["tests/infra/synth-all-stages.ts"];

interface ReuseRecord<T> {
  fingerprint: string;
  writtenAt: string;
  synthesized: T;
}

/** Which files count, relative to `root`, sorted; null when `root` is not a git checkout. */
export function synthInputFiles(root: string): string[] | null {
  let listed: string;
  try {
    listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
  const files = new Set(listed.split("\0").filter(Boolean));
  return [...files].filter((file) => INPUTS_AFTER_ALL.includes(file) || !NOT_INPUTS.some((prefix) => file.startsWith(prefix))).sort();
}

/** The fingerprint of everything the global setup's synths are made from, or null when it cannot be told. */
export function synthFingerprint(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const files = synthInputFiles(root);
  const installed = path.join(root, "node_modules", ".package-lock.json");
  if (!files || !existsSync(installed)) return null;
  const hash = createHash("sha256");
  const add = (label: string, file: string) => hash.update(`${label}\0${contentHash(file)}\0`);
  hash.update(`root\0${path.resolve(root)}\0`);
  for (const file of files) add(`file ${file}`, path.join(root, file));
  add("installed packages", installed);
  const settingsFile = env.OPS_SETTINGS_FILE || "ops.settings.json";
  add(`settings ${settingsFile}`, path.resolve(root, settingsFile));
  return hash.digest("hex");
}

function contentHash(file: string): string {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "absent";
  }
}

/**
 * What an earlier run recorded for this fingerprint, when every folder and template file it names is still there;
 * otherwise null.
 */
export function reusableSynth<T extends object>(
  root: string,
  fingerprint: string | null,
  filesOf: (synthesized: T) => string[],
): { synthesized: T; writtenAt: string } | null {
  if (!fingerprint) return null;
  let record: ReuseRecord<T>;
  try {
    record = JSON.parse(readFileSync(path.join(root, REUSE_RECORD), "utf8")) as ReuseRecord<T>;
  } catch {
    return null;
  }
  if (record.fingerprint !== fingerprint || typeof record.synthesized !== "object" || record.synthesized === null) return null;
  if (!filesOf(record.synthesized).every((file) => existsSync(file))) return null;
  return { synthesized: record.synthesized, writtenAt: record.writtenAt };
}

/** Records a finished synth under its fingerprint. */
export function recordSynth<T>(root: string, fingerprint: string, synthesized: T, now = new Date()): void {
  const record: ReuseRecord<T> = { fingerprint, writtenAt: now.toISOString(), synthesized };
  mkdirSync(path.dirname(path.join(root, REUSE_RECORD)), { recursive: true });
  writeFileSync(path.join(root, REUSE_RECORD), JSON.stringify(record));
}

/** Drops the record: done before synthesizing, so that a synth cut short is never reused. */
export function forgetSynth(root: string): void {
  rmSync(path.join(root, REUSE_RECORD), { force: true });
}
