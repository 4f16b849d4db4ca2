import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe.each(STAGES_UNDER_TEST)("the operator shell of stage %s", (stage) => {
  const settings = stageSettings(stage, {});
  const service = stageTemplates(stage).json("Service").Resources as Record<string, Resource>;
  const family = `${stage}-hands-off-ops-Service-shell`;
  const shellTask = ofType(service, "AWS::ECS::TaskDefinition").find(([, t]) => t.Properties.Family === family)?.[1].Properties;
  const cluster = ofType(service, "AWS::ECS::Cluster")[0]?.[1].Properties;
  const [, fargate] = ofType(service, "AWS::ECS::Service")[0] ?? [];
  const rules = ofType(stageTemplates(stage).json("Automation").Resources as Record<string, Resource>, "AWS::Events::Rule").map(
    ([, r]) => r.Properties,
  );
  // A scheduled rule (the reminder sweep) has no pattern.
  const shellRule = rules.find((r) => JSON.stringify(r.EventPattern ?? {}).includes(family));

  it("never lets a session into a task that serves users: the service keeps ECS Exec off", () => {
    expect(fargate?.Properties.EnableExecuteCommand).toBe(false);
  });

  if (!settings.shell.enabled) {
    it("does not exist (production's default): no shell task, no session key, no exec configuration", () => {
      expect(shellTask).toBeUndefined();
      expect(cluster?.Configuration).toBeUndefined();
      expect(shellRule).toBeUndefined();
    });
    return;
  }

  it("encrypts sessions with the stage's key and logs them to an encrypted log group", () => {
    const exec = cluster?.Configuration.ExecuteCommandConfiguration;
    expect(exec.Logging).toBe("OVERRIDE");
    expect(exec.KmsKeyId).toBeDefined();
    expect(exec.LogConfiguration.CloudWatchEncryptionEnabled).toBe(true);
    const [groupId] = ofType(service, "AWS::Logs::LogGroup").find(([id]) => id.startsWith("ShellSessionLogs")) ?? [];
    expect(exec.LogConfiguration.CloudWatchLogGroupName).toEqual({ Ref: groupId });
    expect(service[groupId as string]?.Properties.KmsKeyId).toBeDefined();
  });

  it("runs the service's image and environment, but only a timer: no port, no migrations, the agent's paths writable", () => {
    const [container] = shellTask?.ContainerDefinitions ?? [];
    const app = ofType(service, "AWS::ECS::TaskDefinition").find(([, t]) => t.Properties.Family !== family)?.[1].Properties
      .ContainerDefinitions[0];
    expect(container.Image).toEqual(app.Image);
    expect(container.Command).toEqual(["sleep", String(settings.shell.sessionMinutes * 60)]);
    expect(container.PortMappings ?? []).toEqual([]);
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.Environment).toContainEqual({ Name: "MIGRATE_ON_START", Value: "false" });
    expect(container.Secrets.map((s: { Name: string }) => s.Name)).toEqual(["PGUSER", "PGPASSWORD"]);
    expect(container.MountPoints.map((m: { ContainerPath: string }) => m.ContainerPath).sort()).toEqual(
      ["/managed-agents", "/tmp", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"].sort(),
    );
  });

  it("gives its agent the session channels, the key and the log group; and the people who open shells a policy to attach", () => {
    const policies = ofType(service, "AWS::IAM::Policy").map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.some((p) => p.includes("ssmmessages:OpenDataChannel"))).toBe(true);
    const [, operator] = ofType(service, "AWS::IAM::ManagedPolicy").find(([id]) => id.startsWith("ShellOperator")) ?? [];
    const actions = operator?.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      "cloudformation:DescribeStacks",
      "ecs:DescribeServices",
      "ecs:DescribeTasks",
      "ecs:ExecuteCommand",
      "ecs:RunTask",
      "ecs:StopTask",
      "iam:PassRole",
      "kms:GenerateDataKey",
    ]);
    const outputs = Object.keys(stageTemplates(stage).json("Service").Outputs ?? {});
    expect(outputs).toEqual(expect.arrayContaining(["ShellTaskDefinition", "ShellCluster", "ServiceArn", "ShellOperatorPolicy"]));
  });

  it("tells on-call every time a shell task starts", () => {
    expect(shellRule?.EventPattern).toMatchObject({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { group: [`family:${family}`], lastStatus: ["RUNNING"] },
    });
  });
});
