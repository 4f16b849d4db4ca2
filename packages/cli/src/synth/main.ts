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
 *
 * This file reads and checks the arguments with nothing loaded but Node's own modules and one constant; a usage
 * error is answered at once. What synthesizes (run.ts: the stacks, aws-cdk-lib, SST) is imported after that.
 */
import "./quiet-sdk-v2-notice";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import { resolveCommit } from "./base-ref";

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
  if (baseRef) {
    try {
      resolveCommit(root, baseRef);
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
  }
  // The arguments are usable: only now load the stacks, aws-cdk-lib and SST (seconds).
  const { runSynth } = await import("./run");
  return runSynth({
    root,
    stages: args.values.stage ?? [],
    outRoot: path.resolve(args.values.out ?? ".synth"),
    costOnly,
    baseRef,
  });
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
