import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import type { StageSettingsOverrides } from "@hands-off-ops/core/settings/schema";
import type { TestProject } from "vitest/node";
import type { NagFinding } from "../../packages/cli/src/synth/nag-report";
import { type StageResult, synthStage } from "../../packages/cli/src/synth/synth-stage";
import { OVERRIDES_FILE_VARIABLE, PREVIEW_KEY } from "../../stacks/config";
import { forgetSynth, recordSynth, reusableSynth, synthFingerprint } from "./synth-reuse";

/** The named stages plus a preview stage, which must be shaped like dev. */
export const STAGES_UNDER_TEST = ["prod", "staging", "dev", "pr-123"] as const;

/** A preview stage given a domain, allow lists, on-call addresses and Slack by webhook through $OPS_SETTINGS_FILE. */
export const CUSTOMIZED_STAGE = "pr-7";
export const CUSTOMIZED_SETTINGS = {
  [CUSTOMIZED_STAGE]: {
    // A preview with a network of its own (the others share dev's): the allow-list and NAT tests read its own VPC.
    network: { shared: null },
    domain: {
      name: "pr-7.vote.example.com",
      certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/0f6a2b4c-1d3e-4f5a-8b9c-0d1e2f3a4b5c",
    },
    firewall: {
      allowedCountries: ["DE", "AT"],
      allowedIpCidrs: ["203.0.113.0/24"],
      blockAnonymousIps: true,
      humanCheck: { action: "captcha", writes: "above-rate", writesPer5MinPerIp: 50, immunityMinutes: 30 },
    },
    alerts: { emails: ["oncall@example.com", "platform@example.com"] },
    notifications: { slack: { mode: "webhook" }, emailSeverities: ["critical", "resolved"] },
  },
  // Every other preview: its own name in the team's hosted zone, a certificate and an alias record made by the stack;
  // Slack connected, with one approver and the approval gate on.
  [PREVIEW_KEY]: {
    domain: { hostedZone: { id: "Z0123456789ABCDEFGHIJ", name: "vote.example.com" } },
    chatops: {
      teamId: "T0TEAM0001",
      channels: ["C0OPS00001"],
      allow: { approve: { users: ["U0ALICE001"], groups: [], anyone: false } },
    },
    canary: { approval: { enabled: true } },
  },
} satisfies Record<string, StageSettingsOverrides>;

/** A preview stage the settings file does not name: it takes the "*" entry (a hosted zone). */
export const ZONE_STAGE = "pr-8";

/** The GitHub deploy access of the two kinds of account: non-production (dev, staging, previews) and production. */
export const ACCESS_STAGES = {
  "github-access (non-prod)": { repository: "acme/hands-off-ops", stages: ["dev", "staging", "preview"] },
  "github-access (prod)": {
    repository: "acme/hands-off-ops",
    stages: ["prod"],
    existingProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
  },
} as const;

/** prod again, from a checkout whose service/ differs: what the next release of a new image synthesizes. */
export const PROD_WITH_NEW_IMAGE = "prod (new image)";

/** prod and dev with ECS running their releases (release.controller "ecs"), and prod's next image under ECS. */
export const ECS_STAGES = { prod: "prod (ecs)", dev: "dev (ecs)", prodNewImage: "prod (ecs, new image)" } as const;
export const ECS_SETTINGS = {
  prod: { release: { controller: "ecs" } },
  dev: { release: { controller: "ecs" } },
} satisfies Record<string, StageSettingsOverrides>;

/**
 * A team's own services instead of the sample: the http-echo example alone, without a database, exactly as its
 * settings file in examples/http-echo says (prod), and the same on a stage that sleeps at night (dev).
 */
export const OWN_SERVICE_STAGES = { prod: "prod (http-echo, no database)", dev: "dev (http-echo, no database)" } as const;
export const HTTP_ECHO_SETTINGS_FILE = "examples/http-echo/ops.settings.json";
/** The echo server and a worker beside it (a prebuilt busybox image, no port), as examples/http-echo names them. */
export const WEB_AND_WORKER_STAGE = "prod (web + worker)";
/** The same on a stage that sleeps at night: both services sleep and wake with it. */
export const SLEEPING_WEB_AND_WORKER_STAGE = "dev (web + worker)";
export const WEB_AND_WORKER_SETTINGS_FILE = "examples/http-echo/web-and-worker.settings.json";
/** The web + worker stage's public service also checks a path behind a bearer token, read from this secret. */
export const SMOKE_TOKEN_SECRET = "prod/echo-smoke-token";

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

/**
 * Synthesizes every stage under test once, through the same path as `npm run synth`; the tests read the templates.
 * A second run in the same checkout with the same inputs (synth-reuse.ts) reuses the first one's.
 */
export default async function synthAllStages(project: TestProject) {
  const root = path.resolve(import.meta.dirname, "../..");
  const fingerprint = synthFingerprint(root);
  const reused = reusableSynth(root, fingerprint, filesOf);
  if (reused) {
    console.log(`Infra tests: reusing the stages synthesized at ${reused.writtenAt}; their inputs have not changed (${REUSE_NOTE}).`);
    project.provide("synthesized", reused.synthesized);
    return;
  }
  forgetSynth(root);
  project.provide("synthesized", await synthesizeAll(root, fingerprint));
}

const REUSE_NOTE = "tests/infra/synth-reuse.ts; delete .synth to synthesize afresh";

/** Every folder and template file the tests will read. */
function filesOf(synthesized: Record<string, SynthesizedStage>): string[] {
  return Object.values(synthesized).flatMap((stage) => [stage.outdir, ...stage.stacks.map((stack) => stack.templateFile)]);
}

async function synthesizeAll(root: string, fingerprint: string | null): Promise<Record<string, SynthesizedStage>> {
  const outdir = (stage: string) => path.join(root, ".synth", "test", stage);
  const synthesized: Record<string, SynthesizedStage> = {};
  for (const stage of STAGES_UNDER_TEST) synthesized[stage] = summarize(await synthStage(stage, { root, outdir: outdir(stage) }));
  for (const stage of [CUSTOMIZED_STAGE, ZONE_STAGE])
    synthesized[stage] = await withSettingsFile(CUSTOMIZED_SETTINGS, async () =>
      summarize(await synthStage(stage, { root, outdir: outdir(stage) })),
    );
  for (const [name, access] of Object.entries(ACCESS_STAGES)) {
    synthesized[name] = await withSettingsFile({ [DEPLOY_ACCESS_STAGE]: access }, async () =>
      summarize(await synthStage(DEPLOY_ACCESS_STAGE, { root, outdir: outdir(name.replace(/\W+/g, "-")) })),
    );
  }
  synthesized[PROD_WITH_NEW_IMAGE] = synthNewImageCheckout(root, path.join(root, ".synth", "test-new-image"));
  for (const [stage, name] of [
    ["prod", ECS_STAGES.prod],
    ["dev", ECS_STAGES.dev],
  ] as const)
    synthesized[name] = await withSettingsFile(ECS_SETTINGS, async () =>
      summarize(await synthStage(stage, { root, outdir: outdir(name.replace(/\W+/g, "-")) })),
    );
  synthesized[ECS_STAGES.prodNewImage] = await withSettingsFile(ECS_SETTINGS, async () =>
    synthNewImageCheckout(root, path.join(root, ".synth", "test-ecs-new-image")),
  );
  const settingsOf = (file: string) => (JSON.parse(readFileSync(path.join(root, file), "utf8")) as { prod: object }).prod;
  const ownServices: [stage: string, name: string, settings: object][] = [
    ["prod", OWN_SERVICE_STAGES.prod, settingsOf(HTTP_ECHO_SETTINGS_FILE)],
    ["dev", OWN_SERVICE_STAGES.dev, settingsOf(HTTP_ECHO_SETTINGS_FILE)],
    ["prod", WEB_AND_WORKER_STAGE, withAuthenticatedSmoke(settingsOf(WEB_AND_WORKER_SETTINGS_FILE))],
    ["dev", SLEEPING_WEB_AND_WORKER_STAGE, settingsOf(WEB_AND_WORKER_SETTINGS_FILE)],
  ];
  for (const [stage, name, settings] of ownServices)
    synthesized[name] = await withSettingsFile({ [stage]: settings }, async () =>
      summarize(await synthStage(stage, { root, outdir: outdir(name.replace(/\W+/g, "-")) })),
    );
  // Recorded only when no input changed while synthesizing, under the fingerprint taken before.
  if (fingerprint && synthFingerprint(root) === fingerprint) recordSynth(root, fingerprint, synthesized);
  return synthesized;
}

/** The example's web service with two smoke checks: its health, and a path that needs a bearer token (SMOKE_TOKEN_SECRET). */
function withAuthenticatedSmoke(settings: object): object {
  const { services } = settings as { services: Record<string, object> };
  const check = { method: "GET", body: null, expectStatus: 200, bodyMatch: null, latencyBudgetMs: 1000 };
  const smoke = [
    { ...check, name: "health", path: "/health" },
    { ...check, name: "signed in", path: "/", headers: { authorization: { secret: SMOKE_TOKEN_SECRET, prefix: "Bearer " } } },
  ];
  return { ...settings, services: { ...services, web: { ...services.web, smoke } } };
}

function summarize(result: StageResult): SynthesizedStage {
  return {
    outdir: result.outdir,
    durationMs: result.durationMs,
    stacks: result.stacks.map(({ id, name, templateFile, nag }) => ({ id, name, templateFile, nag })),
  };
}

async function withSettingsFile<T>(settings: object, run: () => Promise<T>): Promise<T> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ops-settings-")), "ops.settings.json");
  writeFileSync(file, JSON.stringify(settings));
  const before = process.env[OVERRIDES_FILE_VARIABLE];
  process.env[OVERRIDES_FILE_VARIABLE] = file;
  try {
    return await run();
  } finally {
    process.env[OVERRIDES_FILE_VARIABLE] = before;
  }
}

/**
 * prod from a second checkout with one file of service/ changed, synthesized
 * by `npm run synth` in its own process, as a release would be. Everything is
 * a real copy (node_modules hard-linked, which is fast), so that function
 * bundles see the same relative paths as in the first checkout.
 */
function synthNewImageCheckout(root: string, outRoot: string): SynthesizedStage {
  const checkout = mkdtempSync(path.join(tmpdir(), "new-image-"));
  for (const entry of ["sst.config.ts", "package.json", "stacks", "functions", "packages", "service", "synthetics"]) {
    cpSync(path.join(root, entry), path.join(checkout, entry), {
      recursive: true,
      verbatimSymlinks: true,
      // service/node_modules is in .dockerignore: not part of the image, so not needed to synthesize it.
      filter: (source) => !source.startsWith(path.join(root, "service", "node_modules")),
    });
  }
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(checkout, "node_modules")]);
  writeFileSync(path.join(checkout, "service", "RELEASE"), "a change that gives the image a new digest\n");

  const started = performance.now();
  execFileSync(process.execPath, ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "prod", "--out", outRoot], {
    cwd: checkout,
    stdio: "pipe",
  });
  rmSync(checkout, { recursive: true, force: true });
  const outdir = path.join(outRoot, "prod");
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
