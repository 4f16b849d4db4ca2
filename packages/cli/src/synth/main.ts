/**
 * npm run synth -- [--stage <name>]... [--out <dir>] [--cost-only]
 *
 * Synthesizes stages offline (every named stage when none is given), writes
 * their CloudFormation templates, and prints what a reviewer wants to know:
 * stacks, resources by type, cdk-nag findings and suppressions, how the
 * stages differ, and what each costs per month (--cost-only: just that). Exits 1 when a stage fails to synthesize or breaks a
 * cdk-nag rule without a suppression.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import { NAMED_STAGES, type StageSettings, stageSettings } from "../../../../stacks/config";
import { deployAccess } from "../../../../stacks/GitHubAccess";
import { costTable, stageCost } from "./cost-table";
import { nagErrors, resourceTable, settingsTable, stackLine, stageReport } from "./format";
import { settingsDifferences } from "./stage-diff";
import { type StageResult, synthStage } from "./synth-stage";

const USAGE = `usage: npm run synth -- [--stage <name>]... [--out <dir>] [--cost-only]   (no --stage: prod, staging and dev; --stage ${DEPLOY_ACCESS_STAGE}: the GitHub deploy access of one account)`;

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
  const stages = args.values.stage?.length ? [...new Set(args.values.stage)] : [...NAMED_STAGES];
  const outRoot = path.resolve(args.values.out ?? ".synth");

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
            if (!costOnly) console.log(stackLine(stack, index, count));
          },
        }),
      );
    } catch (error) {
      console.error(`Stage ${stage} failed to synthesize: ${(error as Error).stack ?? error}`);
      return 1;
    }
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

  const failing = results.filter((r) => nagErrors(r).length > 0);
  if (failing.length > 0) {
    console.error(
      `\ncdk-nag errors without a suppression in: ${failing.map((r) => r.stage).join(", ")}. Fix them, or suppress each with a written reason.`,
    );
    return 1;
  }
  console.log(
    `\nOK: ${results.length} stage(s) synthesized offline in ${(results.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

function parse() {
  return parseArgs({
    options: {
      stage: { type: "string", multiple: true, short: "s" },
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
      "cost-only": { type: "boolean" },
    },
    allowPositionals: false,
  });
}

process.exitCode = await main();
