import {
  CodeDeployClient,
  LifecycleEventAlreadyCompletedException,
  PutLifecycleEventHookExecutionStatusCommand,
} from "@aws-sdk/client-codedeploy";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { codeDeployHookReporter } from "@hands-off-ops/core/aws/hook-status";
import { eventBridgeNotices } from "@hands-off-ops/core/aws/notices";
import { eventBridgeApprovalRequests } from "@hands-off-ops/core/canary/aws-approval-requests";
import { readHookEnvironment } from "@hands-off-ops/core/canary/environment";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createHookHandler } from "../../../functions/canary-hook";
import { stageSettings } from "../../../stacks/config";
import { hookVariables } from "../../../stacks/lambda-environment";
import { lifecycleHookEvent } from "../../fixtures/events";
import { healthyAnswer, ok, PROD_CANARY, scriptedHttp } from "./helpers";

const codeDeploy = mockClient(CodeDeployClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  codeDeploy.reset();
  events.reset();
});

const env = readHookEnvironment({
  STAGE: "prod",
  HOOK: "AfterAllowTestTraffic",
  CANARY_SETTINGS: JSON.stringify({
    ...PROD_CANARY,
    warmup: { retries: 1, minDelayMs: 10 },
    comparison: { ...PROD_CANARY.comparison, requests: 40 },
  }),
  TEST_URL: "http://green.test:9000",
  PRODUCTION_URL: "http://blue.test",
  BLUE_WAIT_MINUTES: "60",
  APPROVAL_GATE: "off",
});
const context = { getRemainingTimeInMillis: () => 300_000 } as Context;

function handlerWith(answer: Parameters<typeof scriptedHttp>[0], hookEnv = env) {
  const ports = { http: scriptedHttp(answer), report: codeDeployHookReporter(), sleep: () => new Promise<void>(() => {}) };
  return createHookHandler(hookEnv, ports, eventBridgeNotices(), { ask: eventBridgeApprovalRequests() });
}

const gated = { ...env, approvalGate: true };

describe("the canary hook function", () => {
  it("reports Succeeded for the execution it was given, and posts the verdict with its evidence into the release's thread", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: "x" });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const event = lifecycleHookEvent();
    await handlerWith((request) => healthyAnswer(request))(event, context);

    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: "d-7K2Q9ZB1C", lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: "Succeeded" },
    ]);
    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    expect(detail).toMatchObject({
      stage: "prod",
      actor: "canary-hook",
      severity: "info",
      title: "AfterAllowTestTraffic passed for release d-7K2Q9ZB1C",
      thread: { deploymentId: "d-7K2Q9ZB1C", role: "reply" },
    });
    expect(detail.facts.map((f: { label: string }) => f.label)).toEqual([
      "Hook",
      "✓ health",
      "✓ database ready",
      "✓ page",
      "✓ API reads the database",
      "Sample",
      "Errors new / current",
      "p95 new / current",
      "Significance",
    ]);
  });

  it("is the release's gate in every automation mode: prod runs dry-run, and its hooks are given no mode to soften a Failed", () => {
    // README, "What dry-run covers": dry-run governs what the automation starts on its own, not a release's gate.
    const prod = stageSettings("prod", {});
    expect(prod.automationMode).toBe("dry-run");
    const variables = hookVariables({ stage: "prod", name: "hands-off-ops" } as never, prod, "AfterAllowTestTraffic", {
      testUrl: "http://green.test:9000",
      productionUrl: "http://blue.test",
    });
    expect(Object.keys(variables).sort()).toEqual([
      "APPROVAL_GATE",
      "BLUE_WAIT_MINUTES",
      "CANARY_SETTINGS",
      "HOOK",
      "PRODUCTION_URL",
      "STAGE",
      "TEST_URL",
    ]);
  });

  it("reports Failed, and a critical notice, when a check fails", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    // The new version (the test listener) fails; the current one does not.
    const greenHealth = (url: string) => url.startsWith("http://green.test:9000") && url.endsWith("/health");
    await handlerWith((request) => (greenHealth(request.url) ? ok(10, 500, "boom") : healthyAnswer(request)))(
      lifecycleHookEvent(),
      context,
    );
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input.status).toBe("Failed");
    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? "{}");
    expect(detail).toMatchObject({ severity: "critical", summary: 'Smoke check "health" failed: status 500, expected 200 (10 ms)' });
  });

  it("takes CodeDeploy's 'already completed' for a retried invocation as done", async () => {
    codeDeploy
      .on(PutLifecycleEventHookExecutionStatusCommand)
      .rejects(new LifecycleEventAlreadyCompletedException({ message: "already completed", $metadata: {} }));
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await expect(handlerWith((request) => healthyAnswer(request))(lifecycleHookEvent(), context)).resolves.toMatchObject({
      status: "Succeeded",
    });
  });

  it("keeps the verdict when the notice cannot be sent", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    events.on(PutEventsCommand).rejects(new Error("EventBridge unavailable"));
    await expect(handlerWith((request) => healthyAnswer(request))(lifecycleHookEvent(), context)).resolves.toMatchObject({
      status: "Succeeded",
    });
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(1);
  });

  it("rejects an event without the ids, without reporting or retrying", async () => {
    await expect(handlerWith((request) => healthyAnswer(request))({ DeploymentId: "d-1" }, context)).resolves.toEqual({ rejected: true });
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
  });

  it("with the approval gate: checks that pass ask for a person's approval with their evidence, and report nothing", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const event = lifecycleHookEvent();
    await expect(handlerWith((request) => healthyAnswer(request), gated)(event, context)).resolves.toMatchObject({
      status: "Succeeded",
      waiting: true,
    });
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
    const entries = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]);
    expect(entries.map((e) => e?.DetailType)).toEqual(["Approval Requested"]);
    expect(JSON.parse(entries[0]?.Detail ?? "{}")).toMatchObject({
      stage: "prod",
      deploymentId: "d-7K2Q9ZB1C",
      executionId: event.LifecycleEventHookExecutionId,
      hook: "AfterAllowTestTraffic",
      deadlineMinutes: 30,
      onDeadline: "Failed",
      evidence: {
        title: "AfterAllowTestTraffic passed for release d-7K2Q9ZB1C",
        facts: expect.arrayContaining([{ label: "Significance", value: "α = 0.01" }]),
      },
    });
  });

  it("with the approval gate: failing checks report Failed at once, and ask nobody", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await handlerWith((request) => (request.url.endsWith("/health") ? ok(10, 500, "boom") : healthyAnswer(request)), gated)(
      lifecycleHookEvent(),
      context,
    );
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input.status).toBe("Failed");
    expect(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]?.DetailType)).toEqual(["Automation Action"]);
  });

  it("with the approval gate: reports Failed when the approval cannot be asked for", async () => {
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDenied", ErrorMessage: "no" }] });
    await expect(handlerWith((request) => healthyAnswer(request), gated)(lifecycleHookEvent(), context)).resolves.toMatchObject({
      status: "Failed",
      reason: "the checks passed, but approval could not be asked for: Error: EventBridge refused the approval request: AccessDenied no",
    });
    expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input.status).toBe("Failed");
  });
});
