import pRetry, { AbortError } from "p-retry";
import type { SmokeCheck } from "../settings/schema";
import type { Exchange, HttpPort } from "./ports";

export interface SmokeResult {
  check: string;
  passed: boolean;
  /** What was seen: "200 in 41 ms", or why the check failed. */
  detail: string;
  attempts: number;
  latencyMs: number | null;
}

/** Whether one exchange satisfies a check: status, body and latency budget. Pure. */
export function judgeExchange(check: SmokeCheck, exchange: Exchange): { passed: boolean; detail: string } {
  if (exchange.kind === "failure") return { passed: false, detail: `no response: ${exchange.reason}` };
  const took = `${Math.round(exchange.latencyMs)} ms`;
  if (exchange.status !== check.expectStatus)
    return { passed: false, detail: `status ${exchange.status}, expected ${check.expectStatus} (${took})` };
  if (check.bodyMatch && !new RegExp(check.bodyMatch).test(exchange.body))
    return { passed: false, detail: `body does not match /${check.bodyMatch}/ (${took})` };
  if (exchange.latencyMs > check.latencyBudgetMs) return { passed: false, detail: `${took}, over the ${check.latencyBudgetMs} ms budget` };
  return { passed: true, detail: `${exchange.status} in ${took}` };
}

export interface SmokeOptions {
  baseUrl: string;
  retries: number;
  minDelayMs: number;
  /** Stop retrying when this signal aborts (the hook's deadline). */
  signal: AbortSignal;
}

/**
 * Runs every check at once against the new version, each retried with
 * exponential backoff while the new tasks warm up (p-retry). Never throws.
 */
export async function runSmokeSuite(checks: readonly SmokeCheck[], http: HttpPort, options: SmokeOptions): Promise<SmokeResult[]> {
  return Promise.all(checks.map((check) => runOne(check, http, options)));
}

/**
 * The checks the new version failed, once more against the current version (no retries, it is warm). A check both
 * fail says nothing against the new one: the stage itself is not ready, as while it is still waking (its tasks
 * restored, its database starting: /ready answers 503 on every task).
 */
export async function againstCurrent(
  checks: readonly SmokeCheck[],
  failed: readonly SmokeResult[],
  http: HttpPort,
  baseUrl: string,
  signal: AbortSignal,
): Promise<SmokeResult[]> {
  const names = new Set(failed.filter((result) => !result.passed).map((result) => result.check));
  return runSmokeSuite(
    checks.filter((check) => names.has(check.name)),
    http,
    { baseUrl, retries: 0, minDelayMs: 0, signal },
  );
}

async function runOne(check: SmokeCheck, http: HttpPort, { baseUrl, retries, minDelayMs, signal }: SmokeOptions): Promise<SmokeResult> {
  let attempts = 0;
  let last: { passed: boolean; detail: string; latencyMs: number | null } = {
    passed: false,
    detail: "not run: out of time",
    latencyMs: null,
  };
  try {
    await pRetry(
      async () => {
        attempts++;
        let exchange: Exchange;
        try {
          exchange = await http.send({
            method: check.method,
            url: new URL(check.path, baseUrl).toString(),
            body: check.body,
            timeoutMs: Math.max(check.latencyBudgetMs * 2, 1000),
            headers: check.headers,
          });
        } catch (error) {
          // The port never throws for a bad answer: this is a bug, and retrying will not fix it.
          last = {
            passed: false,
            detail: `the check itself failed: ${(error as Error).name}: ${(error as Error).message}`,
            latencyMs: null,
          };
          throw new AbortError(last.detail);
        }
        last = { ...judgeExchange(check, exchange), latencyMs: exchange.latencyMs };
        if (!last.passed) throw new Error(last.detail);
      },
      { retries, minTimeout: minDelayMs, factor: 2, randomize: false, signal },
    );
  } catch {
    // The last attempt's detail says why.
  }
  return { check: check.name, passed: last.passed, detail: last.detail, attempts, latencyMs: last.latencyMs };
}
