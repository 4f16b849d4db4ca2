import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { releaseAlarmIds } from "../../stacks/names";
import { type StackName, stageTemplates, synthesizedStages } from "./stage-templates";
import { ECS_STAGES, PROD_WITH_NEW_IMAGE, ZONE_STAGE } from "./synth-all-stages";

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
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            // Start a release, and find the group's active one first (CodeDeploy runs one per group).
            Action: ["codedeploy:CreateDeployment", "codedeploy:ListDeployments", "codedeploy:GetDeployment"],
            Effect: "Allow",
            Resource: groupArn,
          },
        ]),
      },
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

/**
 * CloudFormation waits for a custom resource until its ServiceTimeout, 3,600 s at most
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html);
 * the provider framework's waiter retries isComplete IntervalSeconds apart, MaxAttempts times (aws-cdk-lib 2.224,
 * custom-resources/lib/provider-framework/waiter-state-machine.js). Read from each stage's own template.
 */
// Stages whose releases CodeDeploy runs (under ECS, CloudFormation waits for ECS itself); the preview "*" has Slack
// and the approval gate on (synth-all-stages.ts), the case that used to wait 71 minutes.
const CODEDEPLOY_STAGES = synthesizedStages().filter(
  (stage) => !stage.startsWith("github-access") && !(Object.values(ECS_STAGES) as string[]).includes(stage),
);

describe.each(CODEDEPLOY_STAGES)("Custom::Release of %s within CloudFormation's hour", (stage) => {
  const resources = () => stageTemplates(stage).json("Service").Resources as Resources;

  it("says its ServiceTimeout, at most 3,600 s, and the waiter, its Lambdas and a last poll fit in it", () => {
    const release = Object.values(resources()).find((r) => r.Type === "Custom::Release");
    expect(release, "Custom::Release").toBeDefined();
    const serviceTimeout = Number(release?.Properties?.ServiceTimeout);
    expect(serviceTimeout).toBeGreaterThan(0);
    expect(serviceTimeout).toBeLessThanOrEqual(3600);

    const machine = Object.values(resources()).find(
      (r) => r.Type === "AWS::StepFunctions::StateMachine" && JSON.stringify(r).includes("framework-isComplete-task"),
    );
    const definition = JSON.stringify(machine?.Properties?.DefinitionString);
    const interval = Number(/\\"IntervalSeconds\\":(\d+)/.exec(definition)?.[1]);
    const attempts = Number(/\\"MaxAttempts\\":(\d+)/.exec(definition)?.[1]);
    expect(interval).toBeGreaterThan(0);
    const totalTimeout = interval * attempts;
    expect(totalTimeout).toBeLessThanOrEqual(3600);

    // isComplete fails a release still waiting at its deadline (RELEASE_DEADLINE_SECONDS after onEvent started): the
    // poll before it may start just short of it and run its timeout, the next one starts an interval later and
    // answers within another timeout; a minute for the framework's own Lambdas.
    const fn = (handler: string) =>
      Object.values(resources()).find((r) => r.Type === "AWS::Lambda::Function" && String(r.Properties?.Handler).endsWith(handler))
        ?.Properties as { Timeout: number; Environment: { Variables: Record<string, string> } };
    const [onEvent, isComplete] = [fn("functions/release.onEvent"), fn("functions/release.isComplete")];
    const deadline = Number(isComplete.Environment.Variables.RELEASE_DEADLINE_SECONDS);
    expect(Number(onEvent.Environment.Variables.RELEASE_DEADLINE_SECONDS)).toBe(deadline);
    expect(onEvent.Timeout).toBeLessThan(deadline);
    expect(totalTimeout).toBeGreaterThan(deadline);
    expect(60 + deadline + interval + 2 * isComplete.Timeout).toBeLessThanOrEqual(serviceTimeout);
  });
});

it("covers a stage whose releases wait at the approval gate", () => {
  expect(CODEDEPLOY_STAGES).toContain(ZONE_STAGE);
  const isComplete = Object.values(stageTemplates(ZONE_STAGE).json("Service").Resources as Resources).find(
    (r) => r.Type === "AWS::Lambda::Function" && r.Properties?.Handler === "functions/release.isComplete",
  );
  // 8 minutes of tasks and shifts, one hook's 5, the gate's 30 and a 1-minute window: 44 minutes.
  const variables = (isComplete?.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
  expect(variables?.RELEASE_DEADLINE_SECONDS).toBe("2640");
});
