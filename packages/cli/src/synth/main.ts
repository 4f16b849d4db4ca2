/**
 * npm run synth -- [--stage <name>]... [--out <dir>] [--cost-only | --diff <git ref>]
 *
 * Synthesizes stages offline (every named stage when none is given), writes
 * their CloudFormation templates, and prints what a reviewer wants to know:
 * stacks, resources by type, cdk-nag findings and suppressions, how the
 * stages differ, and what each costs per month (--cost-only: just that).
 * --diff <ref>: instead, what deploying this checkout over <ref> changes, per
 * stack, with data at risk and IAM changes first. Exits 1 when a stage fails to synthesize or breaks a
 * cdk-nag rule without a suppression.
 */
import "./quiet-sdk-v2-notice";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import { NAMED_STAGES, type StageSettings, stageSettings } from "../../../../stacks/config";
import { deployAccess } from "../../../../stacks/GitHubAccess";
import { BaseRefError, resolveCommit, synthesizeAtRef } from "./base-ref";
import { costTable, stageCost } from "./cost-table";
import { nagErrors, resourceTable, settingsTable, stackLine, stageReport } from "./format";
import { settingsDifferences } from "./stage-diff";
import { type StageResult, synthStage } from "./synth-stage";
import { diffStacks, formatStackChanges } from "./template-diff";

const USAGE = `usage: npm run synth -- [--stage <name>]... [--out <dir>] [--cost-only | --diff <git ref>]   (no --stage: prod, staging and dev; --stage ${DEPLOY_ACCESS_STAGE}: the GitHub deploy access of one account)`;

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const root = process.cwd();
  if (!existsSync(path.join(root, "sst.config.ts"))) {
    console.error(`No sst.config.ts in ${root}: run this from the repository root (npm run synth does).`);
    return 2;
  }
  const costOnly = args.values["cost-only"] === true;
  const baseRef = args.values.diff;
  if (costOnly && baseRef) {
    console.error(`--cost-only and --diff are separate views: give one.\n${USAGE}`);
    return 2;
  }
  const stages = args.values.stage?.length ? [...new Set(args.values.stage)] : [...NAMED_STAGES];
  const outRoot = path.resolve(args.values.out ?? ".synth");

  if (baseRef) {
    try {
      resolveCommit(root, baseRef);
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
  }
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

function parse() {
  return parseArgs({
    options: {
      stage: { type: "string", multiple: true, short: "s" },
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
      "cost-only": { type: "boolean" },
      diff: { type: "string" },
    },
    allowPositionals: false,
  });
}

process.exitCode = await main();
