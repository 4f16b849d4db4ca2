import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST, ZONE_STAGE } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe.each(STAGES_UNDER_TEST)("Slack's interactivity endpoint in stage %s", (stage) => {
  const resources = stageTemplates(stage).json("Automation").Resources as Record<string, Resource>;
  const [fnId, fn] =
    ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === "functions/slack-actions.handler") ?? [];
  const settings = stageSettings(stage, {});

  it("is one named function with the stage's chatops settings, not retried into a second action", () => {
    expect(fn?.Properties).toMatchObject({ FunctionName: `${stage}-hands-off-ops-slack-actions`, Runtime: "nodejs24.x", Timeout: 30 });
    expect(JSON.parse(fn?.Properties.Environment.Variables.CHATOPS_SETTINGS)).toEqual(settings.chatops);
    const invokeConfig = ofType(resources, "AWS::Lambda::EventInvokeConfig").find(([, c]) => c.Properties.FunctionName.Ref === fnId);
    expect(invokeConfig?.[1].Properties.MaximumRetryAttempts).toBe(0);
  });

  it("is reached by POST /slack/actions only, through a throttled HTTP API stage with access logs, and no authorizer Slack could not pass", () => {
    const routes = ofType(resources, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey)).toEqual(["POST /slack/actions"]);
    expect(routes[0]?.AuthorizationType).toBe("NONE");
    const stages = ofType(resources, "AWS::ApiGatewayV2::Stage").map(([, s]) => s.Properties);
    expect(stages).toHaveLength(1);
    expect(stages[0]?.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(stages[0]?.AccessLogSettings.DestinationArn).toBeDefined();
  });

  it("may read its tickets, incidents and approvals, write its audit, read the Slack secret, invoke itself, the rollback and the schedule, keep the approval gates and end a release's wait: nothing else", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const policy = ofType(resources, "AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      "codedeploy:ContinueDeployment",
      "codedeploy:PutLifecycleEventHookExecutionStatus",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "events:PutEvents",
      "iam:PassRole",
      "lambda:InvokeFunction",
      "scheduler:CreateSchedule",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    const invoked = JSON.stringify(statements.filter((s) => [s.Action].flat().includes("lambda:InvokeFunction")).map((s) => s.Resource));
    expect(invoked).toContain(`:function:${stage}-hands-off-ops-slack-actions`);
    const functionId = (handler: string) =>
      ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === handler)?.[0];
    const rollbackId = functionId("functions/rollback.handler");
    expect(invoked).toContain(`{"Fn::GetAtt":["${rollbackId}","Arn"]}`);
    expect(invoked).not.toContain(":*");
    expect(fn?.Properties.Environment.Variables.ROLLBACK_FUNCTION).toEqual({ "Fn::GetAtt": [rollbackId, "Arn"] });
    // Keep awake goes through the schedule function, where the stage has one.
    const scheduleId = functionId("functions/schedule.handler");
    if (settings.schedule.enabled && settings.kind !== "production") {
      expect(invoked).toContain(`{"Fn::GetAtt":["${scheduleId}","Arn"]}`);
      expect(fn?.Properties.Environment.Variables.SCHEDULE_FUNCTION).toEqual({ "Fn::GetAtt": [scheduleId, "Arn"] });
    } else expect(fn?.Properties.Environment.Variables.SCHEDULE_FUNCTION).toBeUndefined();
    const schedules = JSON.stringify(
      statements.filter((s) => [s.Action].flat().includes("scheduler:CreateSchedule")).map((s) => s.Resource),
    );
    expect(schedules).toContain(`:schedule/${stage}-hands-off-ops-approvals/approval-*`);
  });

  it("opens a release's approval gate when one of this stage's hooks asks, and is called back at its deadline", () => {
    const rules = ofType(resources, "AWS::Events::Rule").map(([, r]) => r.Properties);
    const asking = rules.find((r) => r.EventPattern?.["detail-type"]?.includes("Approval Requested"));
    expect(asking?.EventPattern).toEqual({ source: ["hands-off-ops"], "detail-type": ["Approval Requested"], detail: { stage: [stage] } });
    expect(JSON.stringify(asking?.Targets)).toContain(fnId);
    expect(ofType(resources, "AWS::Scheduler::ScheduleGroup").map(([, g]) => g.Properties.Name)).toContain(
      `${stage}-hands-off-ops-approvals`,
    );
    expect(fn?.Properties.Environment.Variables.APPROVAL_SCHEDULE_GROUP).toBe(`${stage}-hands-off-ops-approvals`);
  });

  it("posts no button until Slack is connected (every press would be refused): the notifier is given no ticket lifetime", () => {
    const notify = ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === "functions/notify.handler")?.[1];
    expect(settings.chatops.teamId).toBeNull();
    expect(notify?.Properties.Environment.Variables.BUTTON_HOURS).toBeUndefined();
  });
});

describe("the approval gate's hook", () => {
  const hookGate = (stage: string) => {
    const resources = stageTemplates(stage).json("Service").Resources as Record<string, Resource>;
    return Object.fromEntries(
      ofType(resources, "AWS::Lambda::Function")
        .filter(([, f]) => f.Properties.Handler === "functions/canary-hook.handler")
        .map(([, f]) => [f.Properties.Environment.Variables.HOOK, f.Properties.Environment.Variables.APPROVAL_GATE]),
    );
  };

  it("waits for a person only where the stage has the gate and Slack is connected", () => {
    // prod has the gate on, but Slack is not connected until chatops.teamId is set: its hooks report as before.
    expect(hookGate("prod")).toEqual({ AfterAllowTestTraffic: "off", AfterAllowTraffic: "off" });
    // A preview with Slack connected, an approver and the gate on waits at its setting's hook.
    expect(hookGate(ZONE_STAGE)).toEqual({ AfterAllowTestTraffic: "on" });
  });
});

describe("buttons on a stage connected to Slack", () => {
  it("are posted: the notifier knows how long a ticket lasts", () => {
    const resources = stageTemplates(ZONE_STAGE).json("Automation").Resources as Record<string, Resource>;
    const notify = ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === "functions/notify.handler")?.[1];
    expect(notify?.Properties.Environment.Variables.BUTTON_HOURS).toBe("24");
  });
});

describe("a release waiting for approval", () => {
  const waiterAttempts = (stage: string) => {
    const text = JSON.stringify(stageTemplates(stage).json("Service"));
    return Number(/MaxAttempts\\":(\d+)/.exec(text)?.[1]);
  };

  it("keeps `sst deploy` waiting through the approval's 30-minute deadline (30 s polls), not longer", () => {
    // The preview with the gate on differs from dev by the gate alone; how the rest fits in CloudFormation's hour is
    // release.test.ts's.
    expect((waiterAttempts(ZONE_STAGE) - waiterAttempts("dev")) * 30).toBe(30 * 60);
  });
});
