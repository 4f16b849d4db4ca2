import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEvent } from "../fixtures/events";
import { bundleOf, deployedFunctions, environmentOf } from "./lambda-bundles";

/**
 * The Lambda bundles exactly as `sst deploy` would upload them, loaded by a
 * bare Node (this run's version: 20, then 22 in CI) with the environment the
 * template gives them: each must start and answer an event it turns away,
 * without any AWS call. A bundling mistake (a module esbuild could not
 * resolve, an ESM/CJS clash) shows here rather than at the first real event.
 */

const REJECTED_EVENTS: Record<string, unknown> = {
  "functions/notify.handler": loadEvent("ecs-task-state-change"),
  "functions/canary-hook.handler": { DeploymentId: "not-a-deployment" },
  "functions/canary-watch.handler": { hello: "world" },
  "functions/rollback.handler": { hello: "world" },
  "functions/schedule.handler": { hello: "world" },
  "functions/release.onEvent": null,
  "functions/release.isComplete": null,
  // An HTTP API request with no Slack signature: refused before any AWS call.
  "functions/slack-actions.handler": {
    version: "2.0",
    rawPath: "/slack/actions",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "payload=%7B%7D",
    isBase64Encoded: false,
    requestContext: { http: { method: "POST" } },
  },
};

/** One of each handler: the canary hook's functions differ only in their environment. */
const functions = deployedFunctions().filter((entry, index, all) => all.findIndex((other) => other.handler === entry.handler) === index);

describe("the Lambda bundles start on a bare Node", () => {
  it.each(functions.map(({ fn, outdir, handler }) => [handler, fn, outdir] as const))("%s", (handler, fn, outdir) => {
    const bundle = bundleOf(fn, outdir);
    const exportName = handler.split(".").at(-1) as string;
    const event = REJECTED_EVENTS[handler];
    const script = `
      const module = await import(${JSON.stringify(bundle)});
      if (typeof module[${JSON.stringify(exportName)}] !== "function") throw new Error("no export ${exportName}");
      const event = ${JSON.stringify(event ?? null)};
      if (event !== null) {
        const context = { functionName: "f", awsRequestId: "r", invokedFunctionArn: "arn:aws:lambda:eu-central-1:000000000000:function:f", getRemainingTimeInMillis: () => 60000 };
        const result = await module[${JSON.stringify(exportName)}](event, context);
        console.log("RESULT " + JSON.stringify(result));
      } else console.log("RESULT loaded");
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      // What Lambda's runtime adds to the function's own environment.
      env: {
        PATH: process.env.PATH,
        AWS_REGION: "eu-central-1",
        AWS_LAMBDA_FUNCTION_NAME: "f",
        POWERTOOLS_LOG_LEVEL: "ERROR",
        ...environmentOf(fn),
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    const result = output.split("\n").find((line) => line.startsWith("RESULT "));
    expect(result, output).toBeDefined();
    if (handler === "functions/notify.handler") expect(result).toBe('RESULT {"ignored":"task is RUNNING, not stopped"}');
    if (handler.includes("canary")) expect(result).toBe('RESULT {"rejected":true}');
    if (handler === "functions/slack-actions.handler")
      expect(result).toBe('RESULT {"statusCode":401,"headers":{"content-type":"text/plain"},"body":""}');
    if (handler === "functions/rollback.handler" || handler === "functions/schedule.handler")
      expect(result).toMatch(/^RESULT \{"rejected":/);
  });
});

describe("how every Lambda is built (stacks/lambda-defaults.ts)", () => {
  it.each(deployedFunctions().map(({ fn, outdir, handler }) => [handler, fn, outdir] as const))(
    "%s: Node 24 on arm64, minified, with its source map",
    (_handler, fn, outdir) => {
      expect(fn.Properties.Runtime).toBe("nodejs24.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
      const bundle = bundleOf(fn, outdir);
      const source = readFileSync(bundle, "utf8");
      expect(source.trimEnd().split("\n").at(-1)).toBe(`//# sourceMappingURL=${path.basename(bundle)}.map`);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      // Minified: long lines (unminified esbuild output averages about 40 characters a line).
      expect(source.length / source.split("\n").length).toBeGreaterThan(500);
    },
  );
});
