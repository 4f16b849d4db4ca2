import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The shell block under "## Run the tests" in README.md, as a reader copies it. */
function readmeTestCommand(): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Run the tests"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Run the tests"');
  return block;
}

/**
 * Runs the README's line in /bin/sh with stand-ins for the installers (which would need the network and root) that
 * only record how they were called, on a PATH that has them and no sudo: a root shell in a container or on CI.
 */
function runWithRecordingInstallers(tools: string[]) {
  const bin = mkdtempSync(path.join(tmpdir(), "readme-bin-"));
  const calls = path.join(bin, "calls.log");
  for (const tool of tools) {
    const file = path.join(bin, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n`);
    chmodSync(file, 0o755);
  }
  const run = spawnSync("/bin/sh", ["-c", readmeTestCommand()], {
    env: { PATH: bin, HOME: bin },
    encoding: "utf8",
  });
  let recorded: string[] = [];
  try {
    recorded = readFileSync(calls, "utf8").trim().split("\n");
  } catch {}
  return { status: run.status, stderr: run.stderr, recorded };
}

describe("README's test command", () => {
  it("runs in a root shell that has no sudo: installs the peers, then npm ci and npm test", () => {
    const run = runWithRecordingInstallers(["apt-get", "pipx", "npm"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.recorded).toEqual([
      "apt-get update",
      "apt-get install -y postgresql nginx chromium openssl pipx",
      "pipx install cfn-lint",
      "pipx install moto[server]",
      "npm ci",
      "npm test",
    ]);
  });

  it("goes through sudo where there is one", () => {
    const run = runWithRecordingInstallers(["sudo", "pipx", "npm"]);
    expect(run.status).toBe(0);
    expect(run.recorded.slice(0, 2)).toEqual(["sudo apt-get update", "sudo apt-get install -y postgresql nginx chromium openssl pipx"]);
  });
});
