/**
 * npm run smoke -- --stage <stage> --url <base url> [--wait-minutes <n>]
 *
 * The stage's smoke suite (its settings' `canary.smoke` checks, with their
 * warm-up retries) against a deployed URL: what the deploy workflow runs
 * after `sst deploy`. With --wait-minutes, first waits for the stage's ready
 * path (canary.readyPath: the voting app's /ready, or the public service's
 * health path) to answer 200 (a stage just woken up). Prints one line per
 * check, appends a table to $GITHUB_STEP_SUMMARY when set, and exits 1 when a
 * check fails, 2 on a usage error.
 */
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { secretValues } from "@hands-off-ops/core/aws/secrets";
import { waitForReady } from "@hands-off-ops/core/canary/deploy-smoke";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import { runSmokeSuite, type SmokeResult } from "@hands-off-ops/core/canary/smoke";
import { stageSettings } from "../../../../stacks/config";

const USAGE = "usage: npm run smoke -- --stage <stage> --url <base url, e.g. https://dev.example.com> [--wait-minutes <n>]";
/** The whole suite, warm-up included, must be done within this. */
const SUITE_DEADLINE_MS = 120_000;

async function main(): Promise<number> {
  let options: { stage: string; url: URL; waitMinutes: number };
  try {
    options = readArguments();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let settings: ReturnType<typeof stageSettings>;
  try {
    settings = stageSettings(options.stage);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const checks = settings.canary;
  // Header secrets are read with the caller's credentials, in the stage's region.
  const http = fetchHttp({ secrets: secretValues(new SecretsManagerClient({ region: settings.region })) });

  if (options.waitMinutes > 0) {
    console.log(`Waiting up to ${options.waitMinutes} min for ${new URL(checks.readyPath, options.url)} to answer 200…`);
    const started = Date.now();
    const ready = await waitForReady(options.url.toString(), checks.readyPath, options.waitMinutes * 60_000, http);
    if (!ready.ok) {
      console.error(`not ready after ${options.waitMinutes} min: ${ready.detail}`);
      summarize(options, [], `not ready after ${options.waitMinutes} min: ${ready.detail}`);
      return 1;
    }
    console.log(`ready after ${Math.round((Date.now() - started) / 1000)} s`);
  }

  const results = await runSmokeSuite(checks.smoke, http, {
    baseUrl: options.url.toString(),
    retries: checks.warmup.retries,
    minDelayMs: checks.warmup.minDelayMs,
    signal: AbortSignal.timeout(SUITE_DEADLINE_MS),
  });
  for (const result of results) {
    const attempts = `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}`;
    console.log(`${result.passed ? "✓" : "✗"} ${result.check}: ${result.detail} (${attempts})`);
  }
  const failed = results.filter((result) => !result.passed);
  summarize(options, results, failed.length ? `${failed.length} of ${results.length} checks failed` : null);
  console.log(
    failed.length
      ? `\n${failed.length} of ${results.length} smoke checks failed on ${options.stage}`
      : `\nAll ${results.length} smoke checks passed on ${options.stage}`,
  );
  return failed.length ? 1 : 0;
}

function readArguments() {
  const { values } = parseArgs({
    options: { stage: { type: "string" }, url: { type: "string" }, "wait-minutes": { type: "string", default: "0" } },
    strict: true,
  });
  if (!values.stage) throw new Error("--stage is required");
  if (!values.url) throw new Error("--url is required");
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new Error(`--url "${values.url}" is not a URL`);
  }
  if (!["http:", "https:"].includes(url.protocol)) throw new Error(`--url "${values.url}" must be http or https`);
  const waitMinutes = Number(values["wait-minutes"]);
  if (!Number.isInteger(waitMinutes) || waitMinutes < 0 || waitMinutes > 60)
    throw new Error("--wait-minutes must be a whole number from 0 to 60");
  return { stage: values.stage, url, waitMinutes };
}

function summarize(options: { stage: string; url: URL }, results: SmokeResult[], problem: string | null) {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const rows = results.map((r) => `| ${r.passed ? "✅" : "❌"} | ${r.check} | ${r.detail.replaceAll("|", "\\|")} | ${r.attempts} |`);
  const lines = [
    `### Smoke checks on ${options.stage} (${options.url})`,
    "",
    problem ? `**${problem}**` : "All checks passed.",
    "",
    ...(rows.length ? ["| | check | result | attempts |", "|---|---|---|---|", ...rows, ""] : []),
  ];
  appendFileSync(file, `${lines.join("\n")}\n`);
}

process.exitCode = await main();
