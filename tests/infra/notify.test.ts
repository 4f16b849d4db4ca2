import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { CUSTOMIZED_SETTINGS, CUSTOMIZED_STAGE, STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe.each([...STAGES_UNDER_TEST, CUSTOMIZED_STAGE])("on-call notifications in stage %s", (stage) => {
  const automation = stageTemplates(stage).json("Automation");
  const resources = automation.Resources as Record<string, Resource>;
  const [notifyId, notify] =
    ofType(resources, "AWS::Lambda::Function").find(([, fn]) => fn.Properties.Handler === "functions/notify.handler") ?? [];
  const settings = stageSettings(stage, stage === CUSTOMIZED_STAGE ? CUSTOMIZED_SETTINGS[CUSTOMIZED_STAGE] : {});
  const prefix = `${stage}-hands-off-ops-`;
  const notifyTargets = () =>
    ofType(resources, "AWS::Events::Rule").filter(([, rule]) => rule.Properties.Targets[0].Arn["Fn::GetAtt"]?.[0] === notifyId);
  const notifyRules = () => notifyTargets().filter(([, rule]) => rule.Properties.EventPattern);

  it("runs the notify function on Node 24, arm64, with the stage's routing in its environment", () => {
    expect(notify?.Properties).toMatchObject({ Runtime: "nodejs24.x", Architectures: ["arm64"], Timeout: 120 });
    const env = notify?.Properties.Environment.Variables;
    expect(JSON.parse(env.NOTIFY_SETTINGS)).toEqual(settings.notifications);
    expect(env.CRITICAL_ALARMS.split(",")).toEqual(
      [
        "Alb5xxRate",
        "TargetP99Latency",
        "UnhealthyHostsBlue",
        "UnhealthyHostsGreen",
        // The synthetic user's alarm, where the stage has one (prod, staging).
        ...(settings.synthetics.enabled ? ["SyntheticFlow"] : []),
        "DatabaseFreeStorage",
      ].map((id) => prefix + id),
    );
    expect(env.STAGE).toBe(stage);
  });

  it("feeds it from one rule per source, each with retries and the dead-letter queue", () => {
    const rules = notifyRules().map(([, rule]) => rule.Properties);
    const patterns = rules.map((r) => [r.EventPattern.source[0], r.EventPattern["detail-type"][0]]).sort();
    expect(patterns).toEqual([
      ["aws.cloudwatch", "CloudWatch Alarm State Change"],
      ["aws.codedeploy", "CodeDeploy Deployment State-change Notification"],
      ["aws.ecs", "ECS Service Action"],
      // SERVICE_STEADY_STATE, which ends an open incident's capacity and crash signals.
      ["aws.ecs", "ECS Service Action"],
      ["aws.ecs", "ECS Task State Change"],
      // Operator shells starting, where the stage has them.
      ...(settings.shell.enabled ? [["aws.ecs", "ECS Task State Change"]] : []),
      // The database's failovers, restarts and storage, on every stage (not only where the schedule hears its 7-day start).
      ["aws.rds", "RDS DB Instance Event"],
      ["hands-off-ops", "Automation Action"],
    ]);
    const [deadLettersId] = ofType(resources, "AWS::SQS::Queue")[0] ?? [];
    for (const rule of rules) {
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { "Fn::GetAtt": [notifyId, "Arn"] },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [deadLettersId, "Arn"] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ]);
    }
  });

  it("listens only to this stage: its alarms, its deployment group, its cluster and service, its database, its own automation", () => {
    const byType = Object.fromEntries(
      notifyRules()
        .filter(([id]) => !id.startsWith("NotifyShellSessions") && !id.startsWith("NotifyServiceSteady"))
        .map(([, r]) => [r.Properties.EventPattern["detail-type"][0], r.Properties.EventPattern]),
    );
    expect(byType["CloudWatch Alarm State Change"].detail).toEqual({ alarmName: [{ prefix }] });
    expect(byType["CodeDeploy Deployment State-change Notification"].detail).toEqual({
      application: [`${stage}-hands-off-ops-Service`],
      deploymentGroup: [`${stage}-hands-off-ops-Service`],
    });
    expect(byType["ECS Task State Change"].detail).toEqual({
      clusterArn: [{ "Fn::ImportValue": expect.stringMatching(/-Service:ExportsOutputFnGetAttCluster/) }],
      lastStatus: ["STOPPED"],
    });
    expect(byType["ECS Service Action"]).toMatchObject({ resources: [expect.anything()], detail: { eventType: ["WARN", "ERROR"] } });
    const [, steady] = notifyRules().find(([id]) => id.startsWith("NotifyServiceSteady")) ?? [];
    expect(steady?.Properties.EventPattern).toMatchObject({
      resources: [expect.anything()],
      detail: { eventName: ["SERVICE_STEADY_STATE"] },
    });
    expect(byType["Automation Action"].detail).toEqual({ stage: [stage] });
    expect(byType["RDS DB Instance Event"]).toEqual({
      source: ["aws.rds"],
      "detail-type": ["RDS DB Instance Event"],
      detail: { SourceIdentifier: [{ "Fn::ImportValue": expect.stringMatching(/-Database:ExportsOutputRefPostgres[0-9A-F]{16}$/) }] },
    });
  });

  it("sweeps for reminders every 15 minutes, and may read only the stage's own alarms to decide one", () => {
    const sweeps = notifyTargets().filter(([, rule]) => !rule.Properties.EventPattern);
    expect(sweeps.map(([, rule]) => rule.Properties.ScheduleExpression)).toEqual(["rate(15 minutes)"]);
    const role = notify?.Properties.Role["Fn::GetAtt"][0];
    const policy = ofType(resources, "AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
    )?.[1];
    const statements: { Action: string | string[]; Resource: unknown }[] = policy?.Properties.PolicyDocument.Statement ?? [];
    const reads = statements.filter((st) => [st.Action].flat().includes("cloudwatch:DescribeAlarms"));
    expect(JSON.stringify(reads.map((st) => st.Resource))).toContain(`:alarm:${prefix}*`);
  });

  it("retries a failed delivery twice, then parks the event in the dead-letter queue", () => {
    const [, config] = ofType(resources, "AWS::Lambda::EventInvokeConfig")[0] ?? [];
    const [deadLettersId] = ofType(resources, "AWS::SQS::Queue")[0] ?? [];
    expect(config?.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [deadLettersId, "Arn"] } } },
    });
  });

  it("may only publish to the on-call topic, read its Slack secret, and use the state table's items", () => {
    const role = notify?.Properties.Role["Fn::GetAtt"][0];
    const policy = ofType(resources, "AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const resourceOf = (action: string) => statements.filter((s) => [s.Action].flat().includes(action)).map((s) => s.Resource);
    const [secretId] = ofType(resources, "AWS::SecretsManager::Secret")[0] ?? [];
    const [tableId] = ofType(resources, "AWS::DynamoDB::GlobalTable")[0] ?? [];
    expect(resourceOf("sns:Publish")).toEqual([{ "Fn::ImportValue": expect.stringMatching(/Observability:ExportsOutputRefOnCall/) }]);
    expect(resourceOf("secretsmanager:GetSecretValue")).toEqual([{ Ref: secretId }]);
    for (const action of ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"])
      expect(resourceOf(action)).toEqual([{ "Fn::GetAtt": [tableId, "Arn"] }]);
    const everything = statements.filter((s) => s.Resource === "*").flatMap((s) => [s.Action].flat());
    expect(everything.sort()).toEqual(["cloudwatch:GetMetricWidgetImage", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
  });

  it("creates the Slack secret without any token in the template", () => {
    const secrets = ofType(resources, "AWS::SecretsManager::Secret");
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.[1].Properties.SecretString).toBeUndefined();
    expect(secrets[0]?.[1].Properties.Description).toMatch(/botToken/);
  });

  it("e-mails on-call directly, without the notifier, when the notifier fails or an event is parked", () => {
    const alarms = ofType(resources, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([`${prefix}DeadLettersWaiting`, `${prefix}NotifyFailing`]);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ "Fn::ImportValue": expect.stringMatching(/ExportsOutputRefOnCall/) }]);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
    }
  });
});
