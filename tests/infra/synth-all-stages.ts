import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import type { NagFinding } from "../../packages/cli/src/synth/nag-report";
import { synthStage } from "../../packages/cli/src/synth/synth-stage";

/** The named stages plus a preview stage, which must be shaped like dev. */
export const STAGES_UNDER_TEST = ["prod", "staging", "dev", "pr-123"] as const;
/** prod again, from a checkout whose service/ differs: what the next release of a new image synthesizes. */
export const PROD_WITH_NEW_IMAGE = "prod (new image)";

export interface SynthesizedStage {
  outdir: string;
  durationMs: number;
  stacks: { id: string; name: string; templateFile: string; nag: NagFinding[] }[];
}

declare module "vitest" {
  export interface ProvidedContext {
    synthesized: Record<string, SynthesizedStage>;
  }
}

export default async function synthAllStages(project: TestProject) {
  const root = path.resolve(import.meta.dirname, "../..");
  const synthesized: Record<string, SynthesizedStage> = {};
  for (const stage of STAGES_UNDER_TEST) {
    const result = await synthStage(stage, { root, outdir: path.join(root, ".synth", "test", stage) });
    synthesized[stage] = {
      outdir: result.outdir,
      durationMs: result.durationMs,
      stacks: result.stacks.map(({ id, name, templateFile, nag }) => ({ id, name, templateFile, nag })),
    };
  }
  synthesized[PROD_WITH_NEW_IMAGE] = synthNewImageCheckout(root);
  project.provide("synthesized", synthesized);
}

/**
 * prod from a second checkout with one file of service/ changed, synthesized
 * by `npm run synth` in its own process, as a release would be.
 */
function synthNewImageCheckout(root: string): SynthesizedStage {
  const checkout = checkoutWithChangedService(root);
  const outRoot = path.join(root, ".synth", "test-new-image");
  const started = performance.now();
  execFileSync(process.execPath, ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "prod", "--out", outRoot], {
    cwd: checkout,
    stdio: "pipe",
  });
  const outdir = path.join(outRoot, "prod");
  rmSync(checkout, { recursive: true, force: true });
  const templates = readdirSync(outdir).filter((file) => file.endsWith(".template.json"));
  return {
    outdir,
    durationMs: performance.now() - started,
    stacks: templates.map((file) => {
      const name = file.replace(".template.json", "");
      return { id: name, name, templateFile: path.join(outdir, file), nag: [] };
    }),
  };
}

/**
 * A second checkout of the repository with one file of service/ changed.
 * Everything is a real copy (node_modules hard-linked, which is fast), so
 * that bundles see the same relative paths as in the first checkout.
 */
function checkoutWithChangedService(root: string): string {
  const checkout = mkdtempSync(path.join(tmpdir(), "new-image-"));
  for (const entry of ["sst.config.ts", "package.json", "stacks", "functions", "packages", "service"]) {
    cpSync(path.join(root, entry), path.join(checkout, entry), { recursive: true, verbatimSymlinks: true });
  }
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(checkout, "node_modules")]);
  writeFileSync(path.join(checkout, "service", "RELEASE"), "a change that gives the image a new digest\n");
  return checkout;
}
