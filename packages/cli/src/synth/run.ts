import "./quiet-sdk-v2-notice";
import path from "node:path";
import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import { NAMED_STAGES, type StageSettings, stageSettings } from "../../../../stacks/config";
import { deployAccess } from "../../../../stacks/GitHubAccess";
import { BaseRefError, synthesizeAtRef } from "./base-ref";
import { costTable, stageCost } from "./cost-table";
import { nagErrors, resourceTable, settingsTable, stackLine, stageReport } from "./format";
import { settingsDifferences } from "./stage-diff";
import { type StageResult, synthStage } from "./synth-stage";
import { diffStacks, formatStackChanges } from "./template-diff";

/** What `npm run synth` was asked for, its arguments already checked by main.ts. */
export interface SynthRequest {
  /** The folder that holds sst.config.ts. */
  root: string;
  /** The stages named with --stage, in order (repeats allowed); none: prod, staging and dev. */
  stages: string[];
  outRoot: string;
  costOnly: boolean;
  /** --diff: the git ref to compare with, already resolved once. */
  baseRef: string | undefined;
}

/** Synthesizes the stages and prints the report (main.ts's doc comment); the exit code. */
export async function runSynth(request: SynthRequest): Promise<number> {
  const { root, outRoot, costOnly, baseRef } = request;
  const stages = request.stages.length ? [...new Set(request.stages)] : [...NAMED_STAGES];
  // Settings first: a bad stage name or setting is reported before minutes of synth.
  const settings: Record<string, StageSettings> = {};
  for (const stage of new Set([...NAMED_STAGES, ...stages])) {
    try {
      if (stage === DEPLOY_ACCESS_STAGE) deployAccess(stage);
      else settings[stage] = stageSettings(stage);
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
  }

  const results: StageResult[] = [];
  for (const stage of stages) {
    console.log(`Synthesizing stage ${stage} (offline, no AWS account)…`);
    try {
      results.push(
        await synthStage(stage, {
          root,
          outdir: path.join(outRoot, stage),
          onStack: (stack, index, count) => {
            if (!costOnly && !baseRef) console.log(stackLine(stack, index, count));
          },
        }),
      );
    } catch (error) {
      console.error(`Stage ${stage} failed to synthesize: ${(error as Error).stack ?? error}`);
      return 1;
    }
  }

  if (baseRef) {
    let base: ReturnType<typeof synthesizeAtRef>;
    try {
      console.log(`Synthesizing the same stages at ${baseRef} (a git worktree, offline)…`);
      base = synthesizeAtRef(root, baseRef, stages);
    } catch (error) {
      console.error((error as Error).message);
      return error instanceof BaseRefError ? 2 : 1;
    }
    for (const result of results)
      console.log(`\n${formatStackChanges(result.stage, baseRef, diffStacks(base[result.stage] ?? [], result.stacks))}`);
    return refuseNagErrors(results) ? 1 : 0;
  }
  const costs = results.flatMap((result) => {
    const stageSettings = settings[result.stage];
    return stageSettings ? [costTable(result.stage, stageCost(result, stageSettings, new Date()), stageSettings)] : [];
  });
  if (costOnly) {
    console.log(`\n${costs.join("\n\n")}`);
    return 0;
  }
  console.log("");
  for (const result of results) console.log(`${stageReport(result, settings[result.stage]?.kind ?? "GitHub deploy access")}\n`);
  console.log(`${resourceTable(results)}\n`);
  const stageColumns = stages.filter((stage) => stage !== DEPLOY_ACCESS_STAGE);
  if (stageColumns.length) console.log(settingsTable(settingsDifferences(settings), stageColumns));
  for (const cost of costs) console.log(`\n${cost}`);

  if (refuseNagErrors(results)) return 1;
  console.log(
    `\nOK: ${results.length} stage(s) synthesized offline in ${(results.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

/** Says which stages break a cdk-nag rule without a suppression; true when any does. */
function refuseNagErrors(results: StageResult[]): boolean {
  const failing = results.filter((r) => nagErrors(r).length > 0);
  if (failing.length === 0) return false;
  console.error(
    `\ncdk-nag errors without a suppression in: ${failing.map((r) => r.stage).join(", ")}. Fix them, or suppress each with a written reason.`,
  );
  return true;
}
