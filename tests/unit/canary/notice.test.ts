import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import { describe, expect, it } from "vitest";

describe("a hook's verdict as its notice tells it", () => {
  it("counts each smoke check's attempts as a person says them", () => {
    // Timelines hook-failure-while-alarm-fires: "200 in 27 ms (1 attempts)".
    const notice = verdictNotice(
      "prod",
      { hook: "AfterAllowTestTraffic", deploymentId: "d-NEWRELEASE", executionId: "x" },
      {
        hook: "AfterAllowTestTraffic",
        status: "Failed",
        reason: 'smoke check "health" failed: status 500, expected 200 (31 ms)',
        smoke: [
          { check: "health", passed: false, detail: "status 500, expected 200 (31 ms)", attempts: 5, latencyMs: 31 },
          { check: "database ready", passed: true, detail: "200 in 27 ms", attempts: 1, latencyMs: 27 },
        ],
        comparison: null,
      },
      0.01,
    );
    expect(notice.facts).toContainEqual({ label: "✗ health", value: "status 500, expected 200 (31 ms) (5 attempts)" });
    expect(notice.facts).toContainEqual({ label: "✓ database ready", value: "200 in 27 ms (1 attempt)" });
  });
});
