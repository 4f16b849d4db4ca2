import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NamedTemplate } from "./template-diff";

export class BaseRefError extends Error {
  override name = "BaseRefError";
}

const git = (root: string, ...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: "pipe" }).trim();

/**
 * The stages' templates as the commit `ref` synthesizes them: a git worktree of that commit, with this checkout's
 * installed packages linked in (but its own workspace packages), synthesized by its own `npm run synth`. Offline,
 * like the synth itself; the worktree is removed afterwards.
 */
export function synthesizeAtRef(root: string, ref: string, stages: readonly string[]): Record<string, NamedTemplate[]> {
  const commit = resolveCommit(root, ref);
  const worktree = mkdtempSync(path.join(tmpdir(), "synth-base-"));
  const out = path.join(worktree, ".synth-base");
  git(root, "worktree", "add", "--detach", "--force", worktree, commit);
  try {
    linkInstalledPackages(root, worktree);
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "packages/cli/src/synth/main.ts", ...stages.flatMap((s) => ["--stage", s]), "--out", out],
      {
        cwd: worktree,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const templates: Record<string, NamedTemplate[]> = {};
    for (const stage of stages) {
      const dir = path.join(out, stage);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".template.json")) : [];
      // A base that fails its own cdk-nag check still wrote its templates; one that did not synthesize did not.
      if (files.length === 0)
        throw new BaseRefError(
          `Stage ${stage} did not synthesize at ${ref} (${commit.slice(0, 12)}):\n${(run.stderr || run.stdout).split("\n").slice(-20).join("\n")}`,
        );
      templates[stage] = files.map((file) => ({
        name: file.replace(/\.template\.json$/, ""),
        template: JSON.parse(readFileSync(path.join(dir, file), "utf8")),
      }));
    }
    return templates;
  } finally {
    git(root, "worktree", "remove", "--force", worktree);
    rmSync(worktree, { recursive: true, force: true });
  }
}

/** The commit `ref` names, or a BaseRefError saying what to give instead. Checked before minutes of synth. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return git(root, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    throw new BaseRefError(`--diff ${ref}: not a commit in this repository (try a branch, a tag or a commit id; in CI, fetch it first).`);
  }
}

/** node_modules of the worktree: every installed package of this checkout, except the workspace's own, which are the worktree's. */
function linkInstalledPackages(root: string, worktree: string) {
  const modules = path.join(worktree, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(root, "node_modules"))) {
    if (entry === "@hands-off-ops") continue;
    symlinkSync(path.join(root, "node_modules", entry), path.join(modules, entry));
  }
  mkdirSync(path.join(modules, "@hands-off-ops"));
  for (const dir of readdirSync(path.join(worktree, "packages"))) {
    const manifest = path.join(worktree, "packages", dir, "package.json");
    if (!existsSync(manifest)) continue;
    const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name;
    symlinkSync(path.join(worktree, "packages", dir), path.join(modules, name));
    const own = path.join(root, "packages", dir, "node_modules");
    if (existsSync(own)) symlinkSync(own, path.join(worktree, "packages", dir, "node_modules"));
  }
}
