import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

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

  it("may read its tickets and incidents, write its audit, read the Slack secret, invoke itself and the rollback: nothing else", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const policy = ofType(resources, "AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "lambda:InvokeFunction",
      "lambda:InvokeFunction",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    const invoked = JSON.stringify(statements.filter((s) => [s.Action].flat().includes("lambda:InvokeFunction")).map((s) => s.Resource));
    expect(invoked).toContain(`:function:${stage}-hands-off-ops-slack-actions`);
    const [rollbackId] =
      ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === "functions/rollback.handler") ?? [];
    expect(invoked).toContain(`{"Fn::GetAtt":["${rollbackId}","Arn"]}`);
    expect(invoked).not.toContain(":*");
    expect(fn?.Properties.Environment.Variables.ROLLBACK_FUNCTION).toEqual({ "Fn::GetAtt": [rollbackId, "Arn"] });
  });

  it("gives incidents an Acknowledge button: the notifier knows how long a ticket lasts", () => {
    const notify = ofType(resources, "AWS::Lambda::Function").find(([, f]) => f.Properties.Handler === "functions/notify.handler")?.[1];
    expect(notify?.Properties.Environment.Variables.BUTTON_HOURS).toBe(String(settings.chatops.buttonHours));
  });
});
