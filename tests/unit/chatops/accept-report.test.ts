import { acceptReport } from "@hands-off-ops/core/chatops/accept-report";
import { describe, expect, it } from "vitest";

describe("the endpoint's answer as the log and the metrics tell it", () => {
  const who = { userId: "U0ALICE001", action: "acknowledge" };

  it("warns of a refusal and counts it, with its status and reason", () => {
    expect(acceptReport({ status: 401, outcome: "refused", reason: "bad signature" })).toEqual({
      level: "warn",
      message: "Click refused",
      metric: "ClicksRefused",
      details: { status: 401, reason: "bad signature", userId: undefined, action: undefined },
    });
  });

  it("is an error when the click was not handed on, and a plain line when it was", () => {
    expect(acceptReport({ status: 500, outcome: "failed", reason: "throttled", ...who })).toMatchObject({
      level: "error",
      message: "Click not handed on",
      metric: "ClicksFailed",
      details: { status: 500, reason: "throttled", ...who },
    });
    expect(acceptReport({ status: 200, outcome: "accepted", ...who })).toEqual({
      level: "info",
      message: "Click accepted",
      metric: "ClicksAccepted",
      details: who,
    });
  });

  it("says nothing of a request there was nothing to do for", () => {
    expect(acceptReport({ status: 200, outcome: "ignored" })).toBeUndefined();
  });
});
