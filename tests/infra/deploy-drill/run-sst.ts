/**
 * Runs SST v2's own deploy and remove code (node_modules/sst: the steps of `sst deploy` and `sst remove` after the
 * offline synth) for one small stack, against whatever AWS_ENDPOINT_URL names, with the credentials in the
 * environment: a first release (create), a second (update), then remove. Prints one DRILL-OUTCOME JSON line.
 * Run by tests/infra/deploy-drill.test.ts as a child process, so that SST's module-level state (project, cached
 * clients) and the fake credentials stay out of vitest.
 *
 * usage: tsx run-sst.ts <stage> <app> <region> <account> <workdir>
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as cdk from "aws-cdk-lib";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { useSTSIdentity } from "sst/credentials.js";
import { setProject } from "sst/project.js";
import { clearAppMetadata, deployMany, removeMany, saveAppMetadata, useAppMetadata } from "sst/stacks/index.js";

const [stage, appName, region, account, workdir] = process.argv.slice(2) as [string, string, string, string, string];

/**
 * @aws-cdk/toolkit-lib 1.1.1 asks for @smithy/util-retry ^4; from 4.4 its retry strategy reads a scope
 * (`retryTokenScope.includes(":longpoll")`) that the @smithy/middleware-retry 3.0.34 of SST's pinned AWS SDK (3.699)
 * never passes, so every call the toolkit makes (asset uploads, its STS look-ups) threw a TypeError before it was
 * sent and `sst deploy` stopped at "no credentials have been configured". package.json's override keeps toolkit-lib
 * on 4.3.8, the last that accepts no scope. The drill reports what the installed strategy does, unpatched.
 */
const toolkit = createRequire(createRequire(import.meta.url).resolve("@aws-cdk/toolkit-lib"));
const { ConfiguredRetryStrategy } = toolkit("@smithy/util-retry") as {
  ConfiguredRetryStrategy: new (attempts: number) => { acquireInitialRetryToken(scope?: string): Promise<unknown> };
};
const retryNeedsScope = await new ConfiguredRetryStrategy(1).acquireInitialRetryToken().then(
  () => false,
  () => true,
);

// SST's project, as `initProject` leaves it for `sst deploy --stage <stage>` with no profile and no role: the
// caller's own credentials, as in the GitHub workflow.
const out = path.join(workdir, ".sst");
mkdirSync(out, { recursive: true });
setProject({
  version: "2.49.8",
  cdkVersion: "drill",
  constructsVersion: "drill",
  config: { name: appName, stage, region, cdk: {} },
  stacks: {},
  paths: { root: workdir, config: path.join(workdir, "sst.config.ts"), out, artifacts: path.join(out, "artifacts") },
  metafile: {},
} as never);

// A stack shaped like the app's as far as deploying goes: SST's default synthesizer (the CDK bootstrap roles and
// bucket), a file asset (what every Lambda bundle is), a resource moto's CloudFormation can create.
const assetDir = path.join(workdir, "asset");
mkdirSync(assetDir, { recursive: true });
writeFileSync(path.join(assetDir, "index.js"), "exports.handler = async () => 'drill';\n");

/** The stack of one release: the second differs from the first, so that SST updates it. */
function synthRelease(release: number) {
  const app = new cdk.App({ outdir: path.join(workdir, `cdk.out.${release}`) });
  const stack = new cdk.Stack(app, `${stage}-${appName}-Drill`, { env: { account, region } });
  const asset = new s3assets.Asset(stack, "Bundle", { path: assetDir });
  new ssm.StringParameter(stack, "Marker", { parameterName: `/drill/${stage}`, stringValue: `${asset.s3ObjectUrl}#${release}` });
  return app.synth().getStackByName(stack.stackName);
}

const outcome: Record<string, unknown> = { retryNeedsScope };
const step = async (name: string, run: () => Promise<unknown>) => {
  try {
    outcome[name] = { ok: (await run()) ?? null };
  } catch (error) {
    outcome[name] = { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};
const results = async (run: Promise<Record<string, { status: string; errors: unknown }>>) =>
  Object.values(await run).map((r) => ({ status: r.status, errors: r.errors }));

// `sst deploy` (node_modules/sst/cli/commands/deploy.js): identity and app metadata, deployMany, save metadata.
await step("identity", async () => (await useSTSIdentity()).Account);
await step("appMetadata", () => useAppMetadata());
await step("deploy", () => results(deployMany([synthRelease(1)] as never)));
await step("saveAppMetadata", () => saveAppMetadata({ mode: "deploy" }));
// The next release of the same stage: the stack exists, so SST updates it.
await step("redeploy", () => results(deployMany([synthRelease(2)] as never)));
console.log("DRILL-PHASE remove");
// `sst remove` (node_modules/sst/cli/commands/remove.js): removeMany, clear metadata.
await step("remove", () => results(removeMany([synthRelease(2)] as never)));
await step("clearAppMetadata", () => clearAppMetadata());
console.log(`DRILL-OUTCOME ${JSON.stringify(outcome)}`);
process.exit(0);
