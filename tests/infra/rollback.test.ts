import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };

describe.each(STAGES_UNDER_TEST)("automatic rollback in stage %s", (stage) => {
  const resources = stageTemplates(stage).json("Automation").Resources as Record<string, Resource>;
  const settings = stageSettings(stage, {});
  const [id, fn] =
    Object.entries(resources).find(
      ([, r]) => r.Type === "AWS::Lambda::Function" && r.Properties.Handler === "functions/rollback.handler",
    ) ?? [];

  it("hears every alarm of the stage going to ALARM, with retries and the dead-letter queue", () => {
    const rule = Object.values(resources).find(
      (r) => r.Type === "AWS::Events::Rule" && r.Properties.Targets[0].Arn["Fn::GetAtt"]?.[0] === id,
    );
    expect(rule?.Properties.EventPattern).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: { alarmName: [{ prefix: `${stage}-hands-off-ops-` }], state: { value: ["ALARM"] } },
    });
    expect(rule?.Properties.Targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 8 }, DeadLetterConfig: expect.anything() });
    const invokeConfig = Object.values(resources).find(
      (r) => r.Type === "AWS::Lambda::EventInvokeConfig" && r.Properties.FunctionName.Ref === id,
    );
    expect(invokeConfig?.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: expect.anything() } });
  });

  it("runs in the stage's automation mode with its guardrails and bake window", () => {
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      AUTOMATION_MODE: settings.automationMode,
      BAKE_WINDOW_MINUTES: String(settings.release.bakeWindowMinutes),
      CONTAINER_NAME: "app",
      // The stale-alarm reasons tell their times in the stage's zone, with UTC beside.
      TIME_ZONE: settings.schedule.timeZone,
    });
    expect(JSON.parse(fn?.Properties.Environment.Variables.ROLLBACK_SETTINGS)).toEqual(settings.rollback);
  });

  it("may read the stage's own alarms as they are now, and no other's (a late ALARM changes nothing)", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown }[];
    const cloudwatch = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("cloudwatch:")));
    expect(cloudwatch.map((statement) => statement.Action)).toEqual(["cloudwatch:DescribeAlarms"]);
    // The stage's region and account, and the name prefix every alarm of the stage has (the rule's too).
    expect(cloudwatch[0]?.Resource).toEqual({
      "Fn::Join": [
        "",
        [
          "arn:",
          { Ref: "AWS::Partition" },
          expect.stringMatching(new RegExp(`^:cloudwatch:${settings.region}:\\d{12}:alarm:${stage}-hands-off-ops-\\*$`)),
        ],
      ],
    });
  });

  it("may act on this service's deployment group, application and config only (and stop a deployment, which IAM cannot scope)", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown }[];
    const codedeploy = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("codedeploy:")));
    expect(codedeploy.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      "codedeploy:BatchGetDeployments",
      "codedeploy:CreateDeployment",
      "codedeploy:GetApplicationRevision",
      "codedeploy:GetDeploymentConfig",
      "codedeploy:ListDeployments",
      "codedeploy:RegisterApplicationRevision",
      "codedeploy:StopDeployment",
    ]);
    for (const statement of codedeploy) {
      // No resource type in the Service Authorization Reference: "*" is the only form that works (stacks/wildcard-actions.ts).
      if (statement.Action === "codedeploy:StopDeployment") {
        expect(statement.Resource).toBe("*");
        continue;
      }
      // A predefined deployment config (all at once) is AWS's, named; everything else is this stage's Service stack.
      expect(JSON.stringify(statement.Resource)).toMatch(
        /Fn::ImportValue.+-Service:ExportsOutput|deploymentconfig:CodeDeployDefault\.ECSAllAtOnce/,
      );
    }
  });
});
