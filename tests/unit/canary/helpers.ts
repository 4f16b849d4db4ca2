import type { Exchange, HttpPort, HttpRequest } from "@hands-off-ops/core/canary/ports";
import type { CanarySettings } from "@hands-off-ops/core/settings/schema";
import { stageSettings } from "../../../stacks/config";

export const PROD_CANARY: CanarySettings = stageSettings("prod", {}).canary;

export const ok = (latencyMs = 20, status = 200, body = "UP"): Exchange => ({ kind: "response", status, body, latencyMs });
export const refused = (latencyMs = 1): Exchange => ({ kind: "failure", reason: "ECONNREFUSED", latencyMs });

/** An HTTP port that answers by a function of the request, and records what was asked. */
export function scriptedHttp(
  answer: (request: HttpRequest, call: number) => Exchange | Promise<Exchange>,
): HttpPort & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      return answer(request, requests.length);
    },
  };
}

/** The answers the prod smoke checks expect, by path. */
export function healthyAnswer(request: HttpRequest, latencyMs = 20): Exchange {
  const path = new URL(request.url).pathname;
  if (path === "/health") return ok(latencyMs, 200, "UP");
  if (path === "/") return ok(latencyMs, 200, "<!doctype html><html>");
  if (path.startsWith("/api/polls/")) return ok(latencyMs, 404, '{"message":"not found"}');
  return ok(latencyMs, 200, '{"status":"ready"}');
}

/**
 * GetMetricData for a canary whose 10 % of traffic errs 15 % of the time against 0.2 % on the current version,
 * in the minute 02:59 UTC of 2026-11-20 (the newest whole minute when the tests' clock reads 03:00:30).
 */
const MINUTE = [new Date("2026-11-20T02:59:00Z")];
export const REGRESSED_CANARY_METRICS = {
  MetricDataResults: [
    { Id: "greenRequests", Timestamps: MINUTE, Values: [120] },
    { Id: "greenErrors", Timestamps: MINUTE, Values: [18] },
    { Id: "greenP95", Timestamps: MINUTE, Values: [0.08] },
    { Id: "blueRequests", Timestamps: MINUTE, Values: [1080] },
    { Id: "blueErrors", Timestamps: MINUTE, Values: [2] },
    { Id: "blueP95", Timestamps: MINUTE, Values: [0.07] },
  ],
};
