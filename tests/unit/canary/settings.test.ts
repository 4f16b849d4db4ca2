import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

describe("canary settings", () => {
  it("compare and smoke-test before traffic moves in prod and staging, smoke only in development", () => {
    expect(stageSettings("prod", {}).canary.hooks).toMatchObject({
      AfterAllowTestTraffic: ["smoke", "compare"],
      AfterAllowTraffic: ["smoke"],
    });
    expect(stageSettings("dev", {}).canary.hooks).toMatchObject({ AfterAllowTestTraffic: ["smoke"], AfterAllowTraffic: [] });
  });

  it.each([
    [
      { AfterAllowTraffic: ["compare"] },
      "canary.hooks.AfterAllowTraffic.0: only smoke checks: after AllowTraffic there is no current version to compare with",
    ],
    [{ BeforeInstall: ["smoke"] }, "canary.hooks.BeforeInstall: no check can reach the new tasks before test traffic is allowed"],
    [{ AfterAllowTestTraffic: ["smoke", "smoke"] }, "canary.hooks.AfterAllowTestTraffic: lists a check twice"],
  ])("refuses %j", (hooks, message) => {
    expect(() => stageSettings("staging", { canary: { hooks } as never })).toThrow(message);
  });
});
