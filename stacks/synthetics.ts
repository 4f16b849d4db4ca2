import { readFileSync } from "node:fs";
import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as synthetics from "aws-cdk-lib/aws-synthetics";
import { NagSuppressions } from "cdk-nag";
import type { StageSettings } from "./config";
import { alarmName, SYNTHETIC_ALARM, syntheticUserName } from "./names";
import { wildcardReason } from "./wildcard-actions";

/** Screenshots and logs of failed runs are what on-call opens; a month of them is plenty. */
const ARTIFACT_DAYS = 31;

/**
 * The stage's synthetic user: a CloudWatch Synthetics canary outside the VPC
 * calling the public URL every `synthetics.everyMinutes`, and its success
 * rate as a release alarm (the deployment group and the rollback watch it;
 * names.ts releaseAlarmIds).
 */
/**
 * syn-nodejs-puppeteer-13.0 runs on Lambda's Node.js 22.x (CloudWatch User Guide, "Runtime versions using Node.js
 * and Puppeteer"); 11.0 ran on Node.js 20.x, which Lambda stopped supporting on 2026-04-30, and a deprecated
 * Synthetics runtime cannot create a canary. aws-cdk-lib 2.224 names runtimes up to 11.0, hence the name here. 13.0 is
 * the newest that keeps the `require("Synthetics")` namespace synthetics/flow.js uses (13.1 moved it).
 */
export const SYNTHETIC_USER_RUNTIME = new synthetics.Runtime("syn-nodejs-puppeteer-13.0", synthetics.RuntimeFamily.NODEJS);

/**
 * `flow`: the file the canary runs, as it is (from the checkout, like the service's image); for the sample,
 * synthetics/flow.js, the one `npm run synthetic` runs locally. Null where the stage has no synthetic user.
 */
export function syntheticUser(
  stack: Stack,
  app: { stage: string; name: string },
  settings: StageSettings,
  url: string,
  flow: string | null,
) {
  const { synthetics: wanted } = settings;
  if (!flow) return undefined;
  const artifacts = new s3.Bucket(stack, "SyntheticArtifacts", {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: [{ expiration: Duration.days(ARTIFACT_DAYS) }],
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    // CloudFormation deletes only an empty bucket; every run writes artifacts here.
    autoDeleteObjects: settings.kind !== "production",
  });
  const canary = new synthetics.Canary(stack, "SyntheticUser", {
    canaryName: syntheticUserName(app),
    runtime: SYNTHETIC_USER_RUNTIME,
    test: synthetics.Test.custom({ code: synthetics.Code.fromInline(readFileSync(flow, "utf8")), handler: "index.handler" }),
    schedule: synthetics.Schedule.rate(Duration.minutes(wanted.everyMinutes)),
    environmentVariables: { BASE_URL: url },
    artifactsBucketLocation: { bucket: artifacts },
    successRetentionPeriod: Duration.days(7),
    failureRetentionPeriod: Duration.days(ARTIFACT_DAYS),
    // Five requests, ten seconds each at most.
    timeout: Duration.seconds(60),
    provisionedResourceCleanup: true,
  });
  const alarm = new cloudwatch.Alarm(stack, SYNTHETIC_ALARM, {
    alarmName: alarmName(app, SYNTHETIC_ALARM),
    alarmDescription: `The synthetic user (health, page, create a poll, vote, read the result) succeeded in fewer than ${wanted.alarmBelowPercent}% of its runs, in 2 of 3 periods. Runbook: open the canary's latest failed run: its step names what failed; compare with the latest release.`,
    metric: canary.metricSuccessPercent({ period: Duration.minutes(Math.max(wanted.everyMinutes, 1)) }),
    threshold: wanted.alarmBelowPercent,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    // No runs (the canary stopped, or just created): nothing is known about users.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  NagSuppressions.addResourceSuppressions(artifacts, [
    {
      id: "AwsSolutions-S1",
      reason: "Canary artifacts (screenshots, run logs) are written only by the canary's role; access logs would log that role.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    canary,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: `aws-cdk-lib's canary role: its run artifacts under the bucket (objects), the log group Synthetics names /aws/lambda/cwsyn-<name>-<id> (a suffix known only once created); ${wildcardReason(["s3:ListAllMyBuckets", "cloudwatch:PutMetricData"])}`,
      },
    ],
    true,
  );
  return { canary, alarm };
}
