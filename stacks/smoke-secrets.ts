import type { StageSettings } from "@hands-off-ops/core/settings/schema";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/** The Secrets Manager secrets the stage's checks send as headers (canary.smoke[].headers, comparison.headers), each once. */
export function smokeSecretNames(settings: StageSettings): string[] {
  const { smoke, comparison } = settings.canary;
  const names = [...smoke.map((check) => check.headers), comparison.headers].flatMap((headers) =>
    Object.values(headers).flatMap((value) => (typeof value === "string" ? [] : [value.secret])),
  );
  return [...new Set(names)].sort();
}

/**
 * Lets a function that runs the smoke checks read their header secrets: GetSecretValue (and DescribeSecret) on each
 * secret by name, its ARN ending in the six random characters Secrets Manager adds (fromSecretNameV2's `-??????`),
 * never on `*`. https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
 */
export function grantSmokeSecrets(fn: iam.IGrantable & Construct, settings: StageSettings): void {
  const names = smokeSecretNames(settings);
  if (names.length === 0) return;
  const scope = new Construct(fn, "SmokeSecrets");
  for (const [index, name] of names.entries()) secretsmanager.Secret.fromSecretNameV2(scope, `Secret${index}`, name).grantRead(fn);
}
