import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEvent } from "../fixtures/events";
import { stageTemplates } from "./stage-templates";

/**
 * The Lambda bundles exactly as `sst deploy` would upload them, loaded by a
 * bare Node (this run's version: 20, then 22 in CI) with the environment the
 * template gives them: each must start and answer an event it turns away,
 * without any AWS call. A bundling mistake (a module esbuild could not
 * resolve, an ESM/CJS clash) shows here rather than at the first real event.
 */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };

/** prod's functions, and those only non-production stages have (the sleep schedule), from dev. */
const functions = ["prod", "dev"]
  .flatMap((stage) => {
    const templates = stageTemplates(stage);
    const outdir = path.dirname(templates.stacks[0]?.templateFile ?? "");
    return templates.stacks.flatMap((stack) =>
      Object.values((templates.json(stack.name.split("-").at(-1) as never).Resources ?? {}) as Record<string, Resource>)
        .filter((r) => r.Type === "AWS::Lambda::Function" && String(r.Properties.Handler).startsWith("functions/"))
        .map((fn) => ({ fn, outdir, handler: String(fn.Properties.Handler) })),
    );
  })
  .filter((entry, index, all) => all.findIndex((other) => other.handler === entry.handler) === index);

function bundleOf(fn: Resource, outdir: string): string {
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "");
  const file = path.join(outdir, `asset.${hash}`, `${String(fn.Properties.Handler).split(".")[0]}.mjs`);
  if (!existsSync(file)) throw new Error(`no bundle at ${file}`);
  return file;
}

/** Plain strings from the template's environment; references (tokens) get a stand-in of the right shape. */
function environmentOf(fn: Resource): Record<string, string> {
  const stand: Record<string, string> = {
    ON_CALL_TOPIC_ARN: "arn:aws:sns:eu-central-1:000000000000:on-call",
    SLACK_SECRET_ID: "arn:aws:secretsmanager:eu-central-1:000000000000:secret:slack",
    SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/scheduler",
    DEAD_LETTER_QUEUE_ARN: "arn:aws:sqs:eu-central-1:000000000000:dead-letters",
    TARGET_GROUPS: "targetgroup/a/1,targetgroup/b/2",
    TARGET_ID: "cluster:service",
    LOAD_BALANCER: "app/lb/1",
    TEST_URL: "http://lb.test:9000",
    PRODUCTION_URL: "http://lb.test",
  };
  return Object.fromEntries(
    Object.entries(fn.Properties.Environment?.Variables ?? {}).map(([key, value]) => [
      key,
      typeof value === "string" ? value : (stand[key] ?? "stand-in"),
    ]),
  );
}

const REJECTED_EVENTS: Record<string, unknown> = {
  "functions/notify.handler": loadEvent("ecs-task-state-change"),
  "functions/canary-hook.handler": { DeploymentId: "not-a-deployment" },
  "functions/canary-watch.handler": { hello: "world" },
  "functions/rollback.handler": { hello: "world" },
  "functions/schedule.handler": { hello: "world" },
  "functions/release.onEvent": null,
  "functions/release.isComplete": null,
};

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
      env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1", POWERTOOLS_LOG_LEVEL: "ERROR", ...environmentOf(fn) },
      encoding: "utf8",
      timeout: 30_000,
    });
    const result = output.split("\n").find((line) => line.startsWith("RESULT "));
    expect(result, output).toBeDefined();
    if (handler === "functions/notify.handler") expect(result).toBe('RESULT {"ignored":"task is RUNNING, not stopped"}');
    if (handler.includes("canary")) expect(result).toBe('RESULT {"rejected":true}');
    if (handler === "functions/rollback.handler" || handler === "functions/schedule.handler")
      expect(result).toMatch(/^RESULT \{"rejected":/);
  });
});
