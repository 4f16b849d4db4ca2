import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { releaseAlarmIds } from "../../stacks/names";
import { type StackName, stageTemplates } from "./stage-templates";
import { PROD_WITH_NEW_IMAGE } from "./synth-all-stages";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

function logicalIdOf(resources: Resources, type: string): string {
  const ids = Object.keys(resources).filter((id) => resources[id]?.Type === type);
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
}

describe("releasing a new image (aws/aws-cdk#23564)", () => {
  const current = stageTemplates("prod");
  const next = stageTemplates(PROD_WITH_NEW_IMAGE);

  it("changes only the task definition: CloudFormation never touches the service", () => {
    const before = current.json("Service").Resources as Resources;
    const after = next.json("Service").Resources as Resources;
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    expect(changed).toEqual([logicalIdOf(before, "AWS::ECS::TaskDefinition")]);
  });

  it.each(["Network", "Database", "Firewall", "Observability", "Automation"] as StackName[])("leaves the %s stack as it was", (stack) => {
    expect(next.json(stack)).toEqual(current.json(stack));
  });

  it("keeps every task definition revision, so a release can go back to the previous one", () => {
    current.template("Service").hasResource("AWS::ECS::TaskDefinition", { UpdateReplacePolicy: "Retain", DeletionPolicy: "Retain" });
  });

  it("gives the service its task definition family, never a revision CloudFormation would have to change", () => {
    const resources = current.json("Service").Resources as Resources;
    const taskDefinition = resources[logicalIdOf(resources, "AWS::ECS::TaskDefinition")];
    const service = resources[logicalIdOf(resources, "AWS::ECS::Service")];
    expect(taskDefinition?.Properties?.Family).toBe("prod-hands-off-ops-Service-app");
    expect(service?.Properties?.TaskDefinition).toBe("prod-hands-off-ops-Service-app");
  });

  it("hands each new revision to Custom::Release, which deploys it through the deployment group", () => {
    const resources = current.json("Service").Resources as Resources;
    current.template("Service").hasResourceProperties("Custom::Release", {
      applicationName: { Ref: logicalIdOf(resources, "AWS::CodeDeploy::Application") },
      deploymentGroupName: { Ref: logicalIdOf(resources, "AWS::CodeDeploy::DeploymentGroup") },
      taskDefinitionArn: { Ref: logicalIdOf(resources, "AWS::ECS::TaskDefinition") },
      containerName: "app",
      containerPort: 8080,
    });
  });

  it("lets the release functions start and watch deployments of this group only", () => {
    const service = current.template("Service");
    const groupArn = Match.objectLike({ "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp(":deploymentgroup:$")])] });
    service.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: "codedeploy:CreateDeployment", Effect: "Allow", Resource: groupArn }]) },
    });
    service.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: "codedeploy:GetDeployment", Effect: "Allow", Resource: groupArn },
          // No resource type in the Service Authorization Reference: "*" is the only form that works (stacks/wildcard-actions.ts).
          { Action: "codedeploy:GetDeploymentTarget", Effect: "Allow", Resource: "*" },
        ]),
      },
    });
  });
});

describe.each(["prod", "dev"])("deployment group of %s", (stage) => {
  const templates = stageTemplates(stage);

  it("watches the release alarms that the Observability stack creates, by name", () => {
    const [group] = Object.values(templates.template("Service").findResources("AWS::CodeDeploy::DeploymentGroup"));
    const watched = ((group?.Properties.AlarmConfiguration.Alarms ?? []) as { Name: string }[]).map((a) => a.Name).sort();
    const created = Object.values(templates.template("Observability").findResources("AWS::CloudWatch::Alarm")).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(watched).toEqual(
      releaseAlarmIds(stageSettings(stage))
        .map((id) => `${stage}-hands-off-ops-${id}`)
        .sort(),
    );
    expect(created).toEqual(expect.arrayContaining(watched));
  });

  it("runs blue/green behind the production and test listeners, rolling back on failure, stop and alarm", () => {
    templates.template("Service").hasResourceProperties("AWS::CodeDeploy::DeploymentGroup", {
      DeploymentStyle: { DeploymentOption: "WITH_TRAFFIC_CONTROL", DeploymentType: "BLUE_GREEN" },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"],
      },
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [
          Match.objectLike({
            ProdTrafficRoute: { ListenerArns: [Match.anyValue()] },
            TestTrafficRoute: { ListenerArns: [Match.anyValue()] },
          }),
        ],
      },
    });
  });
});
