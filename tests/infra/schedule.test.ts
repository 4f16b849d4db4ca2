import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };

const automation = (stage: string) => stageTemplates(stage).json("Automation").Resources as Record<string, Resource>;
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe.each(STAGES_UNDER_TEST)("the sleep schedule in stage %s", (stage) => {
  const settings = stageSettings(stage, {});
  const resources = automation(stage);
  const scheduled = settings.schedule.enabled;

  it(scheduled ? "exists (a non-production stage with the schedule on)" : "does not exist", () => {
    expect(settings.kind === "production" && scheduled).toBe(false);
    const functions = ofType(resources, "AWS::Lambda::Function").filter(([, r]) => r.Properties.Handler === "functions/schedule.handler");
    expect(functions).toHaveLength(scheduled ? 1 : 0);
    expect(ofType(resources, "AWS::Scheduler::Schedule")).toHaveLength(scheduled ? 3 : 0);
    // The Slack actions' approval deadlines have a group of their own.
    const groups = ofType(resources, "AWS::Scheduler::ScheduleGroup").filter(([id]) => id.startsWith("SleepSchedules"));
    expect(groups).toHaveLength(scheduled ? 1 : 0);
  });
});

describe.each(["dev", "pr-123"])("the sleep schedule of %s", (stage) => {
  const resources = automation(stage);
  const [functionId, fn] =
    ofType(resources, "AWS::Lambda::Function").find(([, r]) => r.Properties.Handler === "functions/schedule.handler") ?? [];
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
  const schedules: Record<string, any> = Object.fromEntries(
    ofType(resources, "AWS::Scheduler::Schedule").map(([, r]) => [r.Properties.Name, r.Properties]),
  );

  it("ticks at wakeAt and sleepAt on working days, and the summary on Monday, in the stage's time zone", () => {
    expect(Object.keys(schedules).sort()).toEqual(["sleep", "summary", "wake"]);
    expect(schedules.sleep).toMatchObject({
      ScheduleExpression: "cron(00 19 ? * MON,TUE,WED,THU,FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
    });
    expect(schedules.wake).toMatchObject({
      ScheduleExpression: "cron(30 07 ? * MON,TUE,WED,THU,FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
    });
    expect(schedules.summary).toMatchObject({ ScheduleExpression: "cron(30 07 ? * MON *)", ScheduleExpressionTimezone: "Europe/Berlin" });
    for (const [action, schedule] of Object.entries(schedules)) {
      expect(schedule.GroupName).toBe(`${stage}-hands-off-ops-schedule`);
      expect(schedule.FlexibleTimeWindow).toEqual({ Mode: "OFF" });
      expect(JSON.parse(schedule.Target.Input)).toEqual({
        action,
        executionId: "<aws.scheduler.execution-id>",
        scheduledTime: "<aws.scheduler.scheduled-time>",
      });
    }
  });

  it("targets the function with retries and the dead-letter queue", () => {
    const [queueId] = ofType(resources, "AWS::SQS::Queue").find(([id]) => id.startsWith("DeadLetters")) ?? [];
    for (const schedule of Object.values(schedules)) {
      expect(schedule.Target).toMatchObject({
        Arn: { "Fn::GetAtt": [functionId, "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
      });
    }
    const invokeConfig = ofType(resources, "AWS::Lambda::EventInvokeConfig").find(([, r]) => r.Properties.FunctionName.Ref === functionId);
    expect(invokeConfig?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
  });

  it("hears RDS start the stage's stopped database after 7 days", () => {
    // The notifier has an RDS rule of its own (every event of the instance): this one is the schedule function's.
    const rule = ofType(resources, "AWS::Events::Rule").find(
      ([, r]) => r.Properties.EventPattern?.source?.[0] === "aws.rds" && r.Properties.Targets[0].Arn["Fn::GetAtt"]?.[0] === functionId,
    )?.[1];
    expect(rule?.Properties.EventPattern).toMatchObject({
      "detail-type": ["RDS DB Instance Event"],
      detail: {
        EventID: ["RDS-EVENT-0154"],
        SourceIdentifier: [expect.objectContaining({ "Fn::ImportValue": expect.stringContaining("Database") })],
      },
    });
    expect(rule?.Properties.Targets[0]).toMatchObject({
      Arn: { "Fn::GetAtt": [functionId, "Arn"] },
      RetryPolicy: { MaximumRetryAttempts: 8 },
    });
  });

  it("has the fixed name the stage's deploy role may invoke", () => {
    expect(fn?.Properties.FunctionName).toBe(`${stage}-hands-off-ops-schedule`);
  });

  it("is handed the stage's calendar with Berlin's public holidays for this year and the next", () => {
    const env = fn?.Properties.Environment.Variables;
    expect(env).toMatchObject({
      STAGE: stage,
      STAGE_KIND: "development",
      TASK_VCPU: "0.25",
      TASK_MEMORY_GB: "0.5",
      DATABASE_INSTANCES: "1",
    });
    const closed = JSON.parse(env.CLOSED_DAYS);
    const year = new Date().getUTCFullYear();
    expect(closed.until).toBe(`${year + 1}-12-31`);
    expect(closed.days[`${year}-12-25`]).toBe("public holiday: Christmas Day");
    expect(closed.days[`${year + 1}-03-08`]).toBe("public holiday: International Women's Day");
    expect(JSON.parse(env.SCHEDULE_SETTINGS)).not.toHaveProperty("holidays");
  });

  it("may change this service, its scalable target and its database only", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const statements = ofType(resources, "AWS::IAM::Policy")
      .filter(([, p]) => p.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown }[];
    const resourceOf = (action: string) => JSON.stringify(statements.find((s) => [s.Action].flat().includes(action))?.Resource);
    expect(resourceOf("ecs:UpdateService")).toMatch(/Fn::ImportValue.+-Service:ExportsOutput/);
    expect(resourceOf("rds:StopDBInstance")).toMatch(/Fn::ImportValue.+-Database:ExportsOutput/);
    expect(resourceOf("rds:StartDBInstance")).toBe(resourceOf("rds:StopDBInstance"));
    expect(resourceOf("application-autoscaling:RegisterScalableTarget")).toContain(":scalable-target/*");
    expect(resourceOf("scheduler:CreateSchedule")).toContain(`:schedule/${stage}-hands-off-ops-schedule/recheck-*`);
    expect(resourceOf("events:PutEvents")).toBeDefined();
  });
});
