import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isEmptyInstall } from "../../packages/cli/src/synth/empty-install";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MODULE = path.join(ROOT, "packages/cli/src/synth/empty-install.ts");
/** The command sst/runtime/handlers/node.js (2.49.8) runs in a bundle folder, for arm_64 and for x86_64. */
const SST_ARM = "npm install --omit=dev --omit=optional --force --platform=linux --arch=arm64 --os=linux --cpu=arm64";
const SST_X64 = "npm install --omit=dev --omit=optional --force --platform=linux --arch=x64 --os=linux --cpu=x64";

/** An .sst/artifacts folder with one bundle folder per package.json given (null: none written). */
function artifacts(manifests: Record<string, object | string | null>) {
  const root = path.join(mkdtempSync(path.join(tmpdir(), "empty-install-")), ".sst", "artifacts");
  const folders: Record<string, string> = {};
  for (const [name, manifest] of Object.entries(manifests)) {
    const folder = path.join(root, name);
    mkdirSync(folder, { recursive: true });
    if (manifest !== null)
      writeFileSync(path.join(folder, "package.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
    folders[name] = folder;
  }
  return { root, folders, set: new Set([root]) };
}

describe("an install of nothing, as SST runs it", () => {
  const a = artifacts({
    empty: { dependencies: {} },
    sharp: { dependencies: { sharp: "*" } },
    extra: { dependencies: {}, overrides: { x: "1" } },
    none: null,
    broken: "{",
  });

  it("is SST's command, for either architecture, in a bundle folder whose package.json names no dependency", () => {
    expect(isEmptyInstall(SST_ARM, a.folders.empty, a.set)).toBe(true);
    expect(isEmptyInstall(SST_X64, a.folders.empty, a.set)).toBe(true);
  });

  it("is not an install of something, nor a package.json SST did not write, nor none", () => {
    for (const name of ["sharp", "extra", "none", "broken"]) expect(isEmptyInstall(SST_ARM, a.folders[name], a.set), name).toBe(false);
  });

  it("is not another command, not the same command with more to it, and not a folder outside the artifacts", () => {
    for (const command of [
      "npm install",
      `${SST_ARM} --force sharp@0.32.6`,
      "npm install --omit=dev --omit=optional --force --platform=linux --arch=arm64 --os=linux --cpu=x64",
      "npm ci",
      `${SST_ARM}; rm -rf /`,
    ])
      expect(isEmptyInstall(command, a.folders.empty, a.set), command).toBe(false);
    expect(isEmptyInstall(SST_ARM, a.folders.empty, new Set([path.dirname(a.root)]))).toBe(false);
    expect(isEmptyInstall(SST_ARM, a.root, a.set)).toBe(false);
    expect(isEmptyInstall(SST_ARM, undefined, a.set)).toBe(false);
  });
});

describe("skipEmptyInstalls", () => {
  it("answers SST's install of nothing without running it, seen through an ES module's named import; passes every other call on untouched", () => {
    const a = artifacts({ empty: { dependencies: {} }, sharp: { dependencies: { sharp: "*" } } });
    // A plain Node ES module imports exec by name, as sst/runtime/handlers/node.js does, before the wrapper exists.
    // The real exec is replaced by a recorder first, so that no npm runs; the wrapper wraps whatever exec is.
    const script = `
      import childProcess from "node:child_process";
      import { exec } from "child_process";
      import { syncBuiltinESMExports } from "node:module";
      const reached = [];
      childProcess.exec = function recorder(command, options, callback) { reached.push([command, options.cwd]); setImmediate(callback, null, "out", ""); return "child"; };
      syncBuiltinESMExports();
      const { skipEmptyInstalls, skippedInstalls } = await import(${JSON.stringify(MODULE)});
      skipEmptyInstalls(${JSON.stringify(a.root)});
      skipEmptyInstalls(${JSON.stringify(a.root)});
      const run = (command, cwd) => new Promise((resolve) => { const returned = exec(command, { cwd }, (error, stdout) => resolve({ error, stdout, returned })); });
      const results = [];
      for (const [command, cwd] of ${JSON.stringify([
        [SST_ARM, a.folders.empty],
        [SST_ARM, a.folders.sharp],
        ["npm --version", a.folders.empty],
      ])}) results.push(await run(command, cwd));
      console.log(JSON.stringify({ reached, results, skipped: skippedInstalls() }));
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(child.status, child.stderr).toBe(0);
    const { reached, results, skipped } = JSON.parse(child.stdout);
    expect(reached).toEqual([
      [SST_ARM, a.folders.sharp],
      ["npm --version", a.folders.empty],
    ]);
    expect(results).toEqual([
      { error: null, stdout: "" },
      { error: null, stdout: "out", returned: "child" },
      { error: null, stdout: "out", returned: "child" },
    ]);
    expect(skipped).toBe(1);
  });
});
