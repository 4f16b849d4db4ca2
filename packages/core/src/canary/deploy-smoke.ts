import pRetry from "p-retry";
import { CanarySettingsSchema } from "../settings/canary";
import { jsonVariable, readEnvironment } from "../settings/environment";
import * as z from "../zod";
import type { HttpPort } from "./ports";
import { runSmokeSuite, type SmokeResult } from "./smoke";

/**
 * The deploy workflow's checks, run from inside the stage's VPC: the runner's own address is a hosting
 * provider's, which the firewall's anonymous-IP rules block (AWSManagedRulesAnonymousIpList,
 * HostingProviderIPList); the function leaves through the stage's NAT gateways, whose addresses the firewall
 * lets through.
 */
const DeploySmokeEnvironment = z.object({
  STAGE: z.string().check(z.minLength(1)),
  CANARY_SETTINGS: z.pipe(jsonVariable, CanarySettingsSchema),
  PRODUCTION_URL: z.url(),
});

export function readDeploySmokeEnvironment(env: Record<string, string | undefined>) {
  const e = readEnvironment(DeploySmokeEnvironment, env, "deploy smoke");
  return { stage: e.STAGE, settings: e.CANARY_SETTINGS, url: e.PRODUCTION_URL };
}
export type DeploySmokeEnvironment = ReturnType<typeof readDeploySmokeEnvironment>;

/** What the workflow asks: wait for /ready first (a stage just woken up), then the smoke suite, or only the wait. */
export const DeploySmokeRequest = z.strictObject({
  waitForReadySeconds: z._default(z.number().check(z.int()).check(z.gte(0)).check(z.lte(720)), 0),
  smoke: z._default(z.boolean(), true),
});
export type DeploySmokeRequest = z.infer<typeof DeploySmokeRequest>;

export interface DeploySmokeReport {
  stage: string;
  url: string;
  ready: { ok: boolean; detail: string } | null;
  results: SmokeResult[];
  passed: boolean;
}

/** The whole suite, warm-up included, must be done within this (as the command-line smoke). */
const SUITE_DEADLINE_MS = 120_000;

export async function runDeploySmoke(request: DeploySmokeRequest, env: DeploySmokeEnvironment, http: HttpPort): Promise<DeploySmokeReport> {
  const ready =
    request.waitForReadySeconds > 0 ? await waitForReady(env.url, env.settings.readyPath, request.waitForReadySeconds * 1000, http) : null;
  const results =
    request.smoke && (ready?.ok ?? true)
      ? await runSmokeSuite(env.settings.smoke, http, {
          baseUrl: env.url,
          retries: env.settings.warmup.retries,
          minDelayMs: env.settings.warmup.minDelayMs,
          signal: AbortSignal.timeout(SUITE_DEADLINE_MS),
        })
      : [];
  const passed = (ready?.ok ?? true) && (!request.smoke || (results.length > 0 && results.every((r) => r.passed)));
  return { stage: env.stage, url: env.url, ready, results, passed };
}

/** Polls the stage's ready path (every 2 s, backing off to 10 s) until it answers 200 or the time is up. */
export async function waitForReady(
  base: string,
  readyPath: string,
  withinMs: number,
  http: HttpPort,
): Promise<{ ok: boolean; detail: string }> {
  const url = new URL(readyPath, base).toString();
  let last = "not asked yet";
  try {
    await pRetry(
      async () => {
        const exchange = await http.send({ method: "GET", url, body: null, timeoutMs: 5000 });
        last = exchange.kind === "failure" ? `no response: ${exchange.reason}` : `status ${exchange.status}`;
        if (exchange.kind === "failure" || exchange.status !== 200) throw new Error(last);
      },
      { forever: true, minTimeout: 2000, maxTimeout: 10_000, factor: 1.5, randomize: false, signal: AbortSignal.timeout(withinMs) },
    );
    return { ok: true, detail: `${url}: 200` };
  } catch {
    return { ok: false, detail: `${url} not ready within ${Math.round(withinMs / 1000)} s (last: ${last})` };
  }
}
