import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe.each(STAGES_UNDER_TEST)("the synthetic user of stage %s", (stage) => {
  const settings = stageSettings(stage, {});
  const observability = stageTemplates(stage).json("Observability").Resources as Record<string, Resource>;
  const canaries = ofType(observability, "AWS::Synthetics::Canary").map(([, c]) => c.Properties);
  const alarm = ofType(observability, "AWS::CloudWatch::Alarm").find(([id]) => id.startsWith("SyntheticFlow"))?.[1].Properties;
  const service = stageTemplates(stage).json("Service").Resources as Record<string, Resource>;
  const group = ofType(service, "AWS::CodeDeploy::DeploymentGroup")[0]?.[1].Properties;
  const notify = ofType(stageTemplates(stage).json("Automation").Resources as Record<string, Resource>, "AWS::Lambda::Function").find(
    ([, f]) => f.Properties.Handler === "functions/notify.handler",
  )?.[1].Properties;
  const syntheticAlarm = `${stage}-hands-off-ops-SyntheticFlow`;

  if (!settings.synthetics.enabled) {
    it("does not exist, and no release waits on its alarm", () => {
      expect(canaries).toEqual([]);
      expect(alarm).toBeUndefined();
      expect(JSON.stringify(group?.AlarmConfiguration)).not.toContain("SyntheticFlow");
    });
    return;
  }

  it("runs synthetics/flow.js as it is, outside the VPC, against the stage's public URL on the stage's rate", () => {
    expect(canaries).toHaveLength(1);
    const canary = canaries[0];
    expect(canary?.Code).toMatchObject({ Handler: "index.handler", Script: readFileSync("synthetics/flow.js", "utf8") });
    expect(canary?.VPCConfig).toBeUndefined();
    expect(canary?.Schedule.Expression).toBe(
      `rate(${settings.synthetics.everyMinutes} minute${settings.synthetics.everyMinutes > 1 ? "s" : ""})`,
    );
    expect(JSON.stringify(canary?.RunConfig.EnvironmentVariables.BASE_URL)).toContain("DNSName");
    expect(canary?.RuntimeVersion).toMatch(/^syn-nodejs-puppeteer-\d+\.\d+$/);
  });

  it("has an alarm on its success rate that is a release alarm: CodeDeploy watches it, the notifier pages on it, the rollback may act on it", () => {
    expect(alarm).toMatchObject({
      AlarmName: syntheticAlarm,
      ComparisonOperator: "LessThanThreshold",
      Threshold: settings.synthetics.alarmBelowPercent,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      MetricName: "SuccessPercent",
      Namespace: "CloudWatchSynthetics",
      TreatMissingData: "notBreaching",
    });
    expect(group?.AlarmConfiguration.Alarms).toContainEqual({ Name: syntheticAlarm });
    expect(notify?.Environment.Variables.RELEASE_ALARMS.split(",")).toContain(syntheticAlarm);
    expect(notify?.Environment.Variables.CRITICAL_ALARMS.split(",")).toContain(syntheticAlarm);
    expect(settings.rollback.alarms).toContain("SyntheticFlow");
  });

  it("keeps its run artifacts encrypted, TLS only, for a month", () => {
    const [, bucket] = ofType(observability, "AWS::S3::Bucket").find(([id]) => id.startsWith("SyntheticArtifacts")) ?? [];
    expect(bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
      "AES256",
    );
    expect(bucket?.Properties.LifecycleConfiguration.Rules).toEqual([{ ExpirationInDays: 31, Status: "Enabled" }]);
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
  });
});
