import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { CUSTOMIZED_SETTINGS, CUSTOMIZED_STAGE, STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };

describe.each([...STAGES_UNDER_TEST, CUSTOMIZED_STAGE])("canary hooks in stage %s", (stage) => {
  const resources = stageTemplates(stage).json("Service").Resources as Record<string, Resource>;
  const settings = stageSettings(stage, stage === CUSTOMIZED_STAGE ? CUSTOMIZED_SETTINGS[CUSTOMIZED_STAGE] : {});
  const hookFunctions = Object.entries(resources).filter(
    ([, r]) => r.Type === "AWS::Lambda::Function" && r.Properties.Handler === "functions/canary-hook.handler",
  );
  const configured = Object.entries(settings.canary.hooks)
    .filter(([, checks]) => checks.length > 0)
    .map(([hook]) => hook);

  it("has one CodeDeployHook_* function per hook with checks, on Node 24 arm64, named in every release's AppSpec", () => {
    expect(hookFunctions.map(([, fn]) => fn.Properties.Environment.Variables.HOOK).sort()).toEqual([...configured].sort());
    const release = Object.values(resources).find((r) => r.Type === "Custom::Release");
    for (const [id, fn] of hookFunctions) {
      const hook = fn.Properties.Environment.Variables.HOOK;
      expect(fn.Properties).toMatchObject({
        FunctionName: `CodeDeployHook_${stage}-${hook}`,
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Timeout: 300,
      });
      expect(release?.Properties.hooks[hook]).toEqual({ Ref: id });
    }
    expect(Object.keys(release?.Properties.hooks ?? {}).sort()).toEqual([...configured].sort());
  });

  it("runs the hooks in the private subnets, checking the test listener and the production address of the stage", () => {
    for (const [, fn] of hookFunctions) {
      expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(settings.network.availabilityZones);
      const env = fn.Properties.Environment.Variables;
      expect(JSON.stringify(env.TEST_URL)).toContain(":9000");
      if (settings.domain) expect(env.PRODUCTION_URL).toBe(`https://${settings.domain.name}`);
      else expect(JSON.stringify(env.PRODUCTION_URL)).toMatch(/^\{"Fn::Join":\["",\["http:\/\/",\{"Fn::GetAtt":\["LoadBalancer/);
      expect(JSON.parse(env.CANARY_SETTINGS)).toEqual(settings.canary);
    }
  });

  it("lets a hook report its verdict (an action IAM grants only on '*': no resource type) and send only the product's notices", () => {
    for (const [, fn] of hookFunctions) {
      const role = fn.Properties.Role["Fn::GetAtt"][0];
      const statements = Object.values(resources)
        .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const report = statements.find((s) => s.Action === "codedeploy:PutLifecycleEventHookExecutionStatus");
      expect(report?.Resource).toBe("*");
      const notices = statements.find((s) => s.Action === "events:PutEvents");
      expect(notices?.Condition).toEqual({
        "ForAllValues:StringEquals": { "events:source": ["hands-off-ops"] },
        Null: { "events:source": "false" },
      });
      expect(JSON.stringify(notices?.Resource)).toContain(":event-bus/default");
    }
  });
});

describe.each([...STAGES_UNDER_TEST, CUSTOMIZED_STAGE])("the canary watch in stage %s", (stage) => {
  const resources = stageTemplates(stage).json("Service").Resources as Record<string, Resource>;
  const settings = stageSettings(stage, stage === CUSTOMIZED_STAGE ? CUSTOMIZED_SETTINGS[CUSTOMIZED_STAGE] : {});
  const watch = Object.entries(resources).find(
    ([, r]) => r.Type === "AWS::Lambda::Function" && r.Properties.Handler === "functions/canary-watch.handler",
  );

  it(
    settings.canary.watch.enabled
      ? "exists, started and ended by the deployment group's state changes"
      : "does not exist (all-at-once releases)",
    () => {
      if (!settings.canary.watch.enabled) {
        expect(watch).toBeUndefined();
        return;
      }
      const [id, fn] = watch ?? [];
      expect(fn?.Properties).toMatchObject({ Runtime: "nodejs24.x", Timeout: 70 });
      expect(fn?.Properties.Environment.Variables).toMatchObject({
        AUTOMATION_MODE: settings.automationMode,
        SCHEDULE_GROUP: `${stage}-hands-off-ops-canary-watch`,
      });
      const rule = Object.values(resources).find(
        (r) => r.Type === "AWS::Events::Rule" && r.Properties.Targets[0].Arn["Fn::GetAtt"]?.[0] === id,
      );
      expect(rule?.Properties.EventPattern).toEqual({
        source: ["aws.codedeploy"],
        "detail-type": ["CodeDeploy Deployment State-change Notification"],
        detail: {
          application: [`${stage}-hands-off-ops-Service`],
          deploymentGroup: [`${stage}-hands-off-ops-Service`],
          state: ["START", "SUCCESS", "FAILURE", "STOP"],
        },
      });
    },
  );

  it("when it exists, may only manage its own schedules, pass its scheduler role, read this group's deployments and stop one", () => {
    if (!settings.canary.watch.enabled) return expect(watch).toBeUndefined();
    const [, fn] = watch ?? [];
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const resourceOf = (action: string) => JSON.stringify(statements.find((s) => [s.Action].flat().includes(action))?.Resource);
    expect(resourceOf("scheduler:CreateSchedule")).toContain(`:schedule/${stage}-hands-off-ops-canary-watch/watch-*`);
    expect(resourceOf("iam:PassRole")).toMatch(/^\{"Fn::GetAtt":\["CanaryWatchScheduler[0-9A-F]+","Arn"\]\}$/);
    expect(resourceOf("codedeploy:GetDeployment")).toContain(":deploymentgroup:");
    // No resource type in the Service Authorization Reference: "*" is the only form that works (stacks/wildcard-actions.ts).
    expect(resourceOf("codedeploy:StopDeployment")).toBe('"*"');
    // The fast path's revisions: this service's task sets only (resource type task-set in the Service Authorization Reference).
    expect(resourceOf("ecs:DescribeTaskSets")).toContain(":task-set/");
    expect(resourceOf("ecs:DescribeTaskSets")).toMatch(/\/\*"(\]\]\})?$/);
    const schedulerRole = Object.values(resources).find(
      (r) => r.Type === "AWS::IAM::Role" && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes("scheduler.amazonaws.com"),
    );
    expect(schedulerRole?.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "000000000000" },
    });
  });
});

describe("allow lists still let the canary hooks in", () => {
  const webAclRules = (stage: string) => {
    const resources = stageTemplates(stage).json("Firewall").Resources as Record<string, Resource>;
    const acl = Object.values(resources).find((r) => r.Type === "AWS::WAFv2::WebACL");
    const ipSets = Object.entries(resources).filter(([, r]) => r.Type === "AWS::WAFv2::IPSet");
    return {
      rules: acl?.Properties.Rules as { Name: string; Priority: number; Action: object; Statement: Resource["Properties"] }[],
      ipSets,
    };
  };

  it("allows the stage's own NAT gateways first when an IP or country allow list is set", () => {
    const { rules, ipSets } = webAclRules(CUSTOMIZED_STAGE);
    expect(rules[0]).toMatchObject({ Name: "OwnNatGateways", Priority: 0, Action: { Allow: {} } });
    const [natSetId, natSet] = ipSets.find(([id]) => id.startsWith("OwnNatGateways")) ?? [];
    expect(rules[0]?.Statement.IPSetReferenceStatement.Arn).toEqual({ "Fn::GetAtt": [natSetId, "Arn"] });
    expect(natSet?.Properties.Addresses).toHaveLength(
      stageSettings(CUSTOMIZED_STAGE, CUSTOMIZED_SETTINGS[CUSTOMIZED_STAGE]).network.natGateways,
    );
    expect(JSON.stringify(natSet?.Properties.Addresses[0])).toMatch(/Fn::ImportValue.+PublicIp.+\/32/);
  });

  it("lets them in where anonymous IPs are blocked (prod), and adds no exception where nothing is blocked by origin (dev)", () => {
    expect(stageSettings("prod").firewall.blockAnonymousIps).toBe(true);
    expect(webAclRules("prod").rules[0]).toMatchObject({ Name: "OwnNatGateways", Action: { Allow: {} } });
    expect(stageSettings("dev").firewall).toMatchObject({ blockAnonymousIps: false, allowedCountries: [], allowedIpCidrs: [] });
    expect(webAclRules("dev").rules.map((r) => r.Name)).not.toContain("OwnNatGateways");
  });
});
