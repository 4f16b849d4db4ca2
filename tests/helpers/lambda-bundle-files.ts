import { existsSync } from "node:fs";
import path from "node:path";

/** A Lambda function of a synthesized template: where `sst deploy` put its bundle, and the environment it gets. */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
export type Resource = { Type: string; Properties: Record<string, any> };

export function bundleOf(fn: Resource, outdir: string): string {
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "");
  const file = path.join(outdir, `asset.${hash}`, `${String(fn.Properties.Handler).split(".")[0]}.mjs`);
  if (!existsSync(file)) throw new Error(`no bundle at ${file}`);
  return file;
}

/** Plain strings from the template's environment; references (tokens) get a stand-in of the right shape. */
export function environmentOf(fn: Resource): Record<string, string> {
  const stand: Record<string, string> = {
    ON_CALL_TOPIC_ARN: "arn:aws:sns:eu-central-1:000000000000:on-call",
    SLACK_SECRET_ID: "arn:aws:secretsmanager:eu-central-1:000000000000:secret:slack",
    SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/scheduler",
    APPROVAL_SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/approval-deadlines",
    APPROVAL_TARGET_ARN: "arn:aws:lambda:eu-central-1:000000000000:function:slack-actions",
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
