import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * One of the repository's commands (`packages/cli/src/<name>/main.ts`, what
 * `npm run <name>` starts) as a person runs it: a process, what it printed
 * and its exit code.
 */
export async function runCommand(name: "ops" | "smoke" | "synthetic", args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", `packages/cli/src/${name}/main.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
