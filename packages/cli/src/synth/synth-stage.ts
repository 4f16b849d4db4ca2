import "./quiet-sdk-v2-notice";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { LAMBDA_DEFAULTS } from "../../../../stacks/lambda-defaults";
import { buildEachBundleOnce } from "./build-once";
import { skipEmptyInstalls } from "./empty-install";
import { type NagFinding, readNagFindings } from "./nag-report";

/** A 12-digit account that cannot exist, so nobody mistakes an offline template for a deployable one. */
export const PLACEHOLDER_ACCOUNT = "000000000000";

export interface StackResult {
  /** CloudFormation stack name, e.g. prod-hands-off-ops-Network. */
  name: string;
  /** SST stack id, e.g. Network. */
  id: string;
  templateFile: string;
  template: CloudFormationTemplate;
  resourceCounts: Record<string, number>;
  nag: NagFinding[];
}

export interface StageResult {
  stage: string;
  region: string;
  outdir: string;
  stacks: StackResult[];
  durationMs: number;
}

export interface CloudFormationTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface SynthOptions {
  /** The folder that holds sst.config.ts. */
  root: string;
  /** Where the cloud assembly (templates, assets, cdk-nag reports) is written; emptied first. */
  outdir: string;
  /** Called as each stack's template and cdk-nag report are read, in deployment order. */
  onStack?: (stack: StackResult, index: number, count: number) => void;
}

/**
 * Synthesizes one stage with no AWS account and no network, through the same
 * path as `sst deploy`: SST loads sst.config.ts, builds its App in deploy mode
 * and runs the config's stack functions; then CDK synthesizes. Only two things
 * differ: the account is a placeholder (deploy asks STS) and SST runs in its
 * test mode, which skips the bootstrap-bucket lookups that need AWS.
 *
 * Builds: SST runs a stage's function builds SST_BUILD_CONCURRENCY at a time (default: cores − 1, so one at a time on
 * two cores). Left so: esbuild already uses every core for one build, and three at a time made a three-stage synth
 * 13 % slower on two cores (issue 33). Stages are synthesized one after another in one process, never side by
 * side: SST's project (initProject) is one per process, and one process lets build-once.ts share the bundles.
 */
export async function synthStage(stage: string, options: SynthOptions): Promise<StageResult> {
  const started = performance.now();
  process.env.NODE_ENV = "test";
  const previousCwd = process.cwd();
  // sst.config.ts and the stacks resolve paths (service/, ops.settings.json) from the project root, as under the SST CLI.
  process.chdir(options.root);
  try {
    const { initProject, useProject } = await import("sst/project.js");
    const { load } = await import("sst/stacks/build.js");
    const { App } = await import("sst/constructs/App.js");

    await initProject({ stage, root: options.root });
    await buildEachBundleOnce(LAMBDA_DEFAULTS.runtime);
    const project = useProject();
    skipEmptyInstalls(project.paths.artifacts);
    const [, sstConfig] = await load(project.paths.config);
    await rm(options.outdir, { recursive: true, force: true });

    const region = project.config.region ?? "";
    const app = new App(
      { mode: "deploy", stage, name: project.config.name, region, account: PLACEHOLDER_ACCOUNT },
      { outdir: options.outdir, context: offlineContext(region) },
    );
    await sstConfig.stacks(app);
    await app.finish();
    const assembly: CloudAssembly = app.synth();

    const missing = assembly.manifest.missing ?? [];
    if (missing.length > 0) {
      throw new Error(
        `Stage "${stage}" needs values looked up from an AWS account (${missing.map((m) => m.key).join(", ")}); offline synth cannot provide them. Give the stack those values explicitly instead.`,
      );
    }

    const stacks: StackResult[] = [];
    for (const [index, artifact] of assembly.stacksRecursively.entries()) {
      const templateFile = path.join(options.outdir, artifact.templateFile);
      const template = JSON.parse(await readFile(templateFile, "utf8")) as CloudFormationTemplate;
      stacks.push({
        name: artifact.stackName,
        id: artifact.id,
        templateFile,
        template,
        resourceCounts: countResources(template),
        nag: await readNagFindings(nagReportPath(options.outdir, artifact.id)),
      });
      options.onStack?.(stacks.at(-1) as StackResult, index, assembly.stacksRecursively.length);
    }
    return { stage, region, outdir: options.outdir, stacks, durationMs: performance.now() - started };
  } finally {
    process.chdir(previousCwd);
  }
}

/**
 * The one lookup `sst deploy` answers from the account: the region's
 * availability zones, which the VPC checks its explicitly named zones
 * against. Offline, the region is taken to have zones a, b and c.
 */
function offlineContext(region: string): Record<string, unknown> {
  return { [`availability-zones:account=${PLACEHOLDER_ACCOUNT}:region=${region}`]: ["a", "b", "c"].map((zone) => `${region}${zone}`) };
}

function nagReportPath(outdir: string, stackId: string): string {
  const file = path.join(outdir, `AwsSolutions-${stackId}-NagReport.json`);
  if (!existsSync(file))
    throw new Error(`cdk-nag wrote no report for stack ${stackId} (${file}): is AwsSolutionsChecks still added in sst.config.ts?`);
  return file;
}

export function countResources(template: CloudFormationTemplate): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.Resources ?? {})) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  return counts;
}
