import childProcess from "node:child_process";
import { readFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";

/**
 * No `npm install` in a bundle folder with nothing to install. SST 2.49.8 (sst/runtime/handlers/node.js, deploy
 * mode) writes a package.json of the packages to install into each Node function's bundle folder and runs
 * `npm install` there whenever the list exists, and an empty list is true: about half a second per function for an
 * npm that installs nothing and writes a package-lock.json with no packages in it. In the synth process,
 * child_process.exec is wrapped to answer exactly that command, in exactly such a folder (its package.json names no
 * dependency, and it lies in a registered artifacts folder), at once and successfully; every other call, a
 * non-empty install included, goes to the real exec untouched. SST imports exec by name (`import { exec } from
 * "child_process"`), so the wrapper is made visible to ES modules with module.syncBuiltinESMExports().
 *
 * What changes in a bundle: no package-lock.json (it named the folder and listed no package); the
 * package.json SST wrote is still there. Nothing reads that lockfile: Lambda never does, and build-once.ts only
 * renames it where one exists.
 */

/** The command SST runs, for either architecture (--arch and --cpu always agree). */
const SST_INSTALL =
  /^npm install --omit=dev --omit=optional --force --platform=linux (?:--arch=x64 --os=linux --cpu=x64|--arch=arm64 --os=linux --cpu=arm64)$/;

const artifactFolders = new Set<string>();
const wrappers = new WeakSet<object>();
let skipped = 0;

/** Whether `command` run in `cwd` is SST's install of nothing in a bundle folder under one of `artifactFolders`. */
export function isEmptyInstall(command: unknown, cwd: unknown, folders: ReadonlySet<string> = artifactFolders): boolean {
  if (typeof command !== "string" || typeof cwd !== "string" || !SST_INSTALL.test(command)) return false;
  const folder = path.resolve(cwd);
  if (!folders.has(path.dirname(folder))) return false;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8"));
  } catch {
    return false;
  }
  // Exactly what SST writes when there is nothing to install: {"dependencies":{}}.
  return (
    isPlainObject(manifest) &&
    Object.keys(manifest).length === 1 &&
    isPlainObject(manifest.dependencies) &&
    Object.keys(manifest.dependencies).length === 0
  );
}

/**
 * From now on, in this process, SST's install of nothing in a bundle folder under `artifacts` (the project's
 * .sst/artifacts) is not run. Idempotent; each call adds its folder.
 */
export function skipEmptyInstalls(artifacts: string): void {
  artifactFolders.add(path.resolve(artifacts));
  const cp = childProcess as { exec: (...args: unknown[]) => unknown };
  if (wrappers.has(cp.exec)) return;
  const exec = cp.exec;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const [command, options, callback] = args;
    if (typeof callback === "function" && isPlainObject(options) && isEmptyInstall(command, options.cwd)) {
      skipped++;
      // As exec would: asynchronously, no error, nothing printed. SST does not use the returned ChildProcess.
      process.nextTick(callback, null, "", "");
      return undefined;
    }
    return Reflect.apply(exec, this, args);
  };
  // exec's own properties (util.promisify.custom among them) stay as they were.
  Object.defineProperties(wrapper, Object.getOwnPropertyDescriptors(exec));
  wrappers.add(wrapper);
  cp.exec = wrapper;
  syncBuiltinESMExports();
}

/** How many installs of nothing this process has skipped. */
export function skippedInstalls(): number {
  return skipped;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
