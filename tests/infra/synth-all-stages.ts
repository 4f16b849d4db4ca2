import path from "node:path";
import type { TestProject } from "vitest/node";
import type { NagFinding } from "../../packages/cli/src/synth/nag-report";
import { synthStage } from "../../packages/cli/src/synth/synth-stage";

/** The named stages plus a preview stage, which must be shaped like dev. */
export const STAGES_UNDER_TEST = ["prod", "staging", "dev", "pr-123"] as const;

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
  project.provide("synthesized", synthesized);
}
