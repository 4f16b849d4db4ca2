import { isDeepStrictEqual } from "node:util";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { type StackName, stageTemplates } from "./stage-templates";
import { ECS_SETTINGS, ECS_STAGES } from "./synth-all-stages";

/**
 * release.controller "ecs": ECS runs the service's releases itself (docs/releases.md). The templates of prod and
 * dev synthesized that way, against the same stages with CodeDeploy (the default).
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown; Metadata?: unknown };
const resourcesOf = (stage: string, stack: StackName) => stageTemplates(stage).json(stack).Resources as Record<string, Resource>;
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const ecsService = (stage: string) => {
  const [service] = ofType(resourcesOf(stage, "Service"), "AWS::ECS::Service");
  if (!service) throw new Error(`${stage} has no ECS service`);
  return service[1].Properties as Record<string, unknown>;
};

describe.each([
  ["prod", ECS_STAGES.prod],
  ["dev", ECS_STAGES.dev],
])("%s with ECS running its releases", (stage, ecsStage) => {
  const settings = stageSettings(stage, ECS_SETTINGS[stage as keyof typeof ECS_SETTINGS]);

  it("has no CodeDeploy application, group, config or Custom::Release, which the CodeDeploy stage has", () => {
    const types = (name: string) =>
      stageTemplates(name)
        .allJson()
        .flatMap(({ template }) => Object.values(template.Resources as Record<string, Resource>).map((r) => r.Type));
    expect(types(ecsStage).filter((type) => type.startsWith("AWS::CodeDeploy::") || type === "Custom::Release")).toEqual([]);
    expect(types(stage)).toEqual(
      expect.arrayContaining(["AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup", "Custom::Release"]),
    );
  });

  it("gives the service the ECS controller, the stage's strategy, bake time and its release alarms with rollback", () => {
    const service = ecsService(ecsStage);
    expect(service.DeploymentController).toEqual({ Type: "ECS" });
    const configuration = service.DeploymentConfiguration as Record<string, unknown>;
    const { canaryPercent, canaryMinutes, blueTerminationWaitMinutes } = settings.release;
    if (canaryPercent === 100) {
      expect(configuration).toMatchObject({ Strategy: "BLUE_GREEN", BakeTimeInMinutes: blueTerminationWaitMinutes });
      expect(configuration.CanaryConfiguration).toBeUndefined();
    } else
      expect(configuration).toMatchObject({
        Strategy: "CANARY",
        BakeTimeInMinutes: blueTerminationWaitMinutes,
        CanaryConfiguration: { CanaryPercent: canaryPercent, CanaryBakeTimeInMinutes: canaryMinutes },
      });
    const alarms = configuration.Alarms as { AlarmNames: string[]; Enable: boolean; Rollback: boolean };
    expect(alarms).toMatchObject({ Enable: true, Rollback: true });
    expect(alarms.AlarmNames).toContain(`${stage}-hands-off-ops-Alb5xxRate`);
    expect(alarms.AlarmNames.includes(`${stage}-hands-off-ops-SyntheticFlow`)).toBe(settings.synthetics.enabled);
  });

  it("runs the one hook function at the stages with checks, through a role that may invoke only it", () => {
    const hooks = (ecsService(ecsStage).DeploymentConfiguration as { LifecycleHooks: Record<string, unknown>[] }).LifecycleHooks;
    expect(hooks).toHaveLength(1);
    const [hook] = hooks as [{ HookTargetArn: { "Fn::GetAtt": [string] }; RoleArn: { "Fn::GetAtt": [string] }; LifecycleStages: string[] }];
    const expected = stage === "prod" ? ["POST_TEST_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"] : ["POST_TEST_TRAFFIC_SHIFT"];
    expect(hook.LifecycleStages).toEqual(expected);
    const functionId = hook.HookTargetArn["Fn::GetAtt"][0];
    expect(functionId).toMatch(/^EcsHook[0-9A-F]{8}$/);
    const template = stageTemplates(ecsStage).template("Service");
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: "ecs.amazonaws.com" } })] },
    });
    const role = hook.RoleArn["Fn::GetAtt"][0];
    const policies = ofType(resourcesOf(ecsStage, "Service"), "AWS::IAM::Policy").filter(([, p]) =>
      JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(role),
    );
    const statements = policies.flatMap(
      ([, p]) => (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      expect.objectContaining({
        Action: "lambda:InvokeFunction",
        Resource: expect.arrayContaining([{ "Fn::GetAtt": [functionId, "Arn"] }]),
      }),
    ]);
  });

  it("sends traffic through one rule per listener, which ECS shifts between the two target groups with a role scoped to them", () => {
    const resources = resourcesOf(ecsStage, "Service");
    const rules = Object.fromEntries(ofType(resources, "AWS::ElasticLoadBalancingV2::ListenerRule"));
    const [productionRule, testRule] = ["ProductionRule", "TestRule"].map((id) => Object.keys(rules).find((key) => key.startsWith(id)));
    const balanced = (ecsService(ecsStage).LoadBalancers as Record<string, unknown>[])[0] as {
      TargetGroupArn: { Ref: string };
      AdvancedConfiguration: Record<string, { Ref?: string; "Fn::GetAtt"?: [string] }>;
    };
    expect(balanced.AdvancedConfiguration.ProductionListenerRule).toEqual({ Ref: productionRule });
    expect(balanced.AdvancedConfiguration.TestListenerRule).toEqual({ Ref: testRule });
    expect(balanced.TargetGroupArn.Ref).toMatch(/^Blue/);
    expect(balanced.AdvancedConfiguration.AlternateTargetGroupArn?.Ref).toMatch(/^Green/);
    // The listeners themselves answer 404 to what no rule matches: every request goes through a rule ECS shifts.
    for (const [, listener] of ofType(resources, "AWS::ElasticLoadBalancingV2::Listener").filter(
      ([, l]) => (l.Properties as { Port: number }).Port !== 80 || !settings.domain,
    ))
      expect((listener.Properties as { DefaultActions: { Type: string }[] }).DefaultActions[0]?.Type).toBe("fixed-response");

    const trafficRole = balanced.AdvancedConfiguration.RoleArn?.["Fn::GetAtt"]?.[0] as string;
    const [, policy] = ofType(resources, "AWS::IAM::Policy").find(([, p]) =>
      JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(trafficRole),
    ) as [string, Resource];
    const statements = (policy.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } })
      .PolicyDocument.Statement;
    const byAction = Object.fromEntries(statements.map((s) => [[s.Action].flat().join(","), s.Resource]));
    expect(byAction["elasticloadbalancing:ModifyRule"]).toEqual([{ Ref: productionRule }, { Ref: testRule }]);
    expect(JSON.stringify(byAction["elasticloadbalancing:RegisterTargets,elasticloadbalancing:DeregisterTargets"])).toMatch(/Blue.*Green/);
    expect(
      byAction[
        "elasticloadbalancing:DescribeListeners,elasticloadbalancing:DescribeRules,elasticloadbalancing:DescribeTargetGroups,elasticloadbalancing:DescribeTargetHealth"
      ],
    ).toBe("*");
  });

  it("has the notifier listen to ECS's deployment events of this service, not CodeDeploy's", () => {
    const rule = ofType(resourcesOf(ecsStage, "Automation"), "AWS::Events::Rule").find(([id]) => id.startsWith("NotifyReleases"));
    expect(rule?.[1].Properties?.EventPattern).toMatchObject({ source: ["aws.ecs"], "detail-type": ["ECS Deployment State Change"] });
  });
});

describe("aws/aws-cdk#36649: a stack update resets a listener rule's action to the template's", () => {
  /**
   * CloudFormation writes a listener rule's declared action back whenever it updates that rule, whatever weights
   * ECS has set since. After a release ECS serves users from the other target group; the declared action names
   * Blue, which may then have no task: a rule update would send every user to it. The design keeps the rules out
   * of every deploy: nothing a release or a setting changes is in them.
   */
  const rulesOf = (stage: string) => Object.fromEntries(ofType(resourcesOf(stage, "Service"), "AWS::ElasticLoadBalancingV2::ListenerRule"));

  it("declares the production rule forwarding to Blue alone: what CloudFormation would put back", () => {
    const production = Object.entries(rulesOf(ECS_STAGES.prod)).find(([id]) => id.startsWith("ProductionRule"))?.[1];
    expect(production?.Properties?.Actions).toEqual([{ Type: "forward", TargetGroupArn: { Ref: expect.stringMatching(/^Blue/) } }]);
  });

  it("a release (a new image) changes the task definition, which the service names, and neither listener rule", () => {
    const before = resourcesOf(ECS_STAGES.prod, "Service");
    const after = resourcesOf(ECS_STAGES.prodNewImage, "Service");
    const [taskDefinition] = ofType(before, "AWS::ECS::TaskDefinition").filter(([id]) => id.startsWith("Task"));
    expect(taskDefinition).toBeDefined();
    expect(isDeepStrictEqual(before[taskDefinition?.[0] as string], after[taskDefinition?.[0] as string])).toBe(false);
    expect(rulesOf(ECS_STAGES.prodNewImage)).toEqual(rulesOf(ECS_STAGES.prod));
    expect(Object.keys(rulesOf(ECS_STAGES.prod))).toHaveLength(2);
    // Nothing else of the template changes: the service names the task definition by Ref, so CloudFormation updates
    // it with the new revision's ARN, and that update is ECS's release.
    const changed = Object.keys(before).filter((id) => !isDeepStrictEqual(before[id], after[id]));
    expect(changed).toEqual([taskDefinition?.[0]]);
    expect(ecsService(ECS_STAGES.prodNewImage).TaskDefinition).toEqual({ Ref: taskDefinition?.[0] });
  });

  it("the rules name only their listener, a fixed priority and path, and a target group: no release setting", () => {
    for (const rule of Object.values(rulesOf(ECS_STAGES.prod))) {
      const text = JSON.stringify(rule.Properties);
      expect(Object.keys(rule.Properties ?? {}).sort()).toEqual(["Actions", "Conditions", "ListenerArn", "Priority"]);
      expect(text).not.toMatch(/Canary|Bake|Alarm|Task|Hook/);
    }
  });
});

describe("prod with ECS differs from prod with CodeDeploy only where the controller does", () => {
  /** Logical ids (by prefix) of what only one controller has, or what each configures its own way. */
  const CONTROLLER_PARTS: Record<StackName, RegExp[]> = {
    Network: [],
    Database: [],
    Firewall: [],
    Observability: [],
    GitHubAccess: [],
    Service: [
      // CodeDeploy's: its application, group, canary config and Custom::Release, and one hook function per hook.
      /^Application[0-9A-F]{8}$/,
      /^Canary[0-9A-F]{8}$/,
      /^DeploymentGroup/,
      /^Release/,
      /^HookAfter/,
      // ECS's: its hook function and the role ECS invokes it with, the traffic role, the two rules.
      /^EcsHook/,
      /^FargateEcsHookRole/,
      /^EcsTrafficRole/,
      /^ProductionRule/,
      /^TestRule/,
      // Each configures the service, the listeners' default action and the watch's events and rights its own way.
      /^FargateService[0-9A-F]{8}$/,
      /^LoadBalancer(Http|Https|Test)[0-9A-F]{8}$/,
      /^CanaryWatch/,
    ],
    Automation: [/^Rollback/, /^NotifyReleases/, /^NotifyServiceRoleDefaultPolicy/, /^SlackActions/, /^ApprovalRequests/],
  };

  it.each(["Network", "Database", "Firewall", "Observability", "Service", "Automation"] as StackName[])("%s", (stack) => {
    const codeDeploy = resourcesOf("prod", stack);
    const ecs = resourcesOf(ECS_STAGES.prod, stack);
    const differing = [...new Set([...Object.keys(codeDeploy), ...Object.keys(ecs)])].filter((id) => {
      const [a, b] = [codeDeploy[id], ecs[id]];
      if (!a || !b) return true;
      // cdk-nag's suppressions say why; they follow the grants and are no resource change.
      return !isDeepStrictEqual({ ...a, Metadata: undefined }, { ...b, Metadata: undefined });
    });
    const elsewhere = differing.filter((id) => !CONTROLLER_PARTS[stack].some((part) => part.test(id)));
    // The service's security group and its ingress depend on the task definition under CodeDeploy only (CDK's own doing).
    const onlyDependsOn = elsewhere.filter((id) =>
      isDeepStrictEqual(
        { ...codeDeploy[id], DependsOn: undefined, Metadata: undefined },
        { ...ecs[id], DependsOn: undefined, Metadata: undefined },
      ),
    );
    expect(elsewhere.filter((id) => !onlyDependsOn.includes(id))).toEqual([]);
    if (CONTROLLER_PARTS[stack].length === 0) expect(differing).toEqual([]);
  });
});
