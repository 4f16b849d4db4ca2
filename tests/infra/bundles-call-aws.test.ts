import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycleHookEvent } from "../fixtures/events";
import { bundleOf, deployedFunctions, environmentOf } from "./lambda-bundles";

/**
 * The bundles as deployed, run on a bare Node with a real event, their AWS
 * calls sent to a local stand-in for the AWS APIs (AWS_ENDPOINT_URL) and
 * their smoke checks to a local stand-in for the service. This proves the
 * wiring the unit tests replace with fakes: adapters imported on first use,
 * the SDK clients they build, the requests those send.
 */

interface AwsCall {
  target: string;
  body: Record<string, unknown>;
}

const awsCalls: AwsCall[] = [];
let healthStatus = 200;
let server: Server;
let baseUrl: string;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** JSON-protocol AWS APIs name the operation in X-Amz-Target; anything else is the service under test. */
const AWS_ANSWERS: Record<string, object> = {
  "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus": { lifecycleEventHookExecutionId: "answered" },
  "AWSEvents.PutEvents": { FailedEntryCount: 0, Entries: [{ EventId: "stand-in-event" }] },
};

const SERVICE: Record<string, () => [number, string]> = {
  "/health": () => [healthStatus, healthStatus === 200 ? "UP" : "DOWN"],
  "/ready": () => [200, "READY"],
  "/": () => [200, "<html><body>polls</body></html>"],
};

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const target = request.headers["x-amz-target"];
    const body = await bodyOf(request);
    if (typeof target === "string") {
      awsCalls.push({ target, body: JSON.parse(body || "{}") });
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(AWS_ANSWERS[target] ?? {}));
      return;
    }
    const [status, text] = SERVICE[new URL(request.url ?? "/", "http://x").pathname]?.() ?? [404, "not found"];
    response.writeHead(status, { "content-type": "text/plain" }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  awsCalls.length = 0;
  healthStatus = 200;
});

async function invoke(handler: string, match: (env: Record<string, string>) => boolean, event: unknown, overrides: Record<string, string>) {
  const found = deployedFunctions().find((entry) => entry.handler === handler && match(environmentOf(entry.fn)));
  if (!found) throw new Error(`no deployed ${handler} matches`);
  const exportName = handler.split(".").at(-1) as string;
  const script = `
    const module = await import(${JSON.stringify(bundleOf(found.fn, found.outdir))});
    const context = { functionName: "f", awsRequestId: "r", invokedFunctionArn: "arn:aws:lambda:eu-central-1:000000000000:function:f", getRemainingTimeInMillis: () => 60000 };
    console.log("RESULT " + JSON.stringify(await module[${JSON.stringify(exportName)}](${JSON.stringify(event)}, context)));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
      AWS_SECRET_ACCESS_KEY: "stand-in",
      AWS_ENDPOINT_URL: baseUrl,
      POWERTOOLS_LOG_LEVEL: "ERROR",
      ...environmentOf(found.fn),
      ...overrides,
    },
    timeout: 30_000,
  });
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no result in:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length));
}

describe("the canary hook bundle, with a real lifecycle event", () => {
  const afterAllowTraffic = (env: Record<string, string>) => env.HOOK === "AfterAllowTraffic";
  const quickWarmup = (env: Record<string, string>) => {
    const settings = JSON.parse(env.CANARY_SETTINGS ?? "{}");
    return JSON.stringify({ ...settings, warmup: { retries: 0, minDelayMs: 10 } });
  };
  const hookEnv = () => {
    const found = deployedFunctions().find((e) => e.handler === "functions/canary-hook.handler" && afterAllowTraffic(environmentOf(e.fn)));
    return environmentOf(found?.fn ?? { Type: "", Properties: {} });
  };

  it("runs the smoke checks and reports Succeeded to CodeDeploy, then tells on-call", async () => {
    const event = lifecycleHookEvent();
    const verdict = await invoke("functions/canary-hook.handler", afterAllowTraffic, event, {
      TEST_URL: baseUrl,
      PRODUCTION_URL: baseUrl,
      CANARY_SETTINGS: quickWarmup(hookEnv()),
    });
    expect(verdict.status).toBe("Succeeded");
    expect(awsCalls.map((call) => call.target)).toEqual([
      "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus",
      "AWSEvents.PutEvents",
    ]);
    expect(awsCalls[0]?.body).toEqual({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status: "Succeeded",
    });
    const [entry] = (awsCalls[1]?.body.Entries ?? []) as { Source: string; DetailType: string; Detail: string }[];
    expect(entry).toMatchObject({ Source: "hands-off-ops", DetailType: "Automation Action" });
    expect(JSON.parse(entry?.Detail ?? "{}").stage).toBe("prod");
  });

  it("reports Failed when the new version's health check fails", async () => {
    healthStatus = 503;
    const verdict = await invoke("functions/canary-hook.handler", afterAllowTraffic, lifecycleHookEvent(), {
      TEST_URL: baseUrl,
      PRODUCTION_URL: baseUrl,
      CANARY_SETTINGS: quickWarmup(hookEnv()),
    });
    expect(verdict.status).toBe("Failed");
    expect(awsCalls[0]?.body.status).toBe("Failed");
  });
});
