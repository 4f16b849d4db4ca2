import { closedDays } from "@hands-off-ops/core/schedule/holidays";
import { RDS_AUTO_START_EVENT } from "@hands-off-ops/core/schedule/trigger";
import { ArnFormat, CfnOutput, Duration, type Stack, TimeZone } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type * as rds from "aws-cdk-lib/aws-rds";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { automationFunction } from "./automation-function";
import { type StageSettings, StageSettingsError, sleepsAtNight } from "./config";
import { scheduleVariables } from "./lambda-environment";
import { suppressLambdaBasics } from "./nag-suppressions";
import { syntheticUserName } from "./names";
import { grantSendNotices } from "./notify";
import { letSchedulerInvoke, schedulerRole } from "./scheduler-role";
import { grantWildcardOnly } from "./wildcard-actions";
import type { WorkerDeployment } from "./workers";

interface ScheduleWiring {
  app: { stage: string; name: string };
  settings: StageSettings;
  service: ecs.FargateService;
  /** The services that are not public: each sleeps and wakes with the stage. */
  workers: WorkerDeployment[];
  /** null where the stage has no database (database.enabled): nothing to stop at night. */
  database: rds.DatabaseInstance | null;
  stateTable: dynamodb.ITableV2;
  deadLetters: sqs.IQueue;
  /** The first year of the holiday list handed to the function (the year of the synth). */
  fromYear?: number;
}

export const scheduleFunctionName = (stage: string, appName: string) => `${stage}-${appName}-schedule`;

/** Years of public holidays the function is deployed with; a deploy within that time renews them. */
export const HOLIDAY_YEARS = 2;
/** Lambda's 4 KB for all environment variables, less what the others take once deployed (names and ARNs). */
const CLOSED_DAYS_BUDGET = 2500;
/** A worker's entry in WORKERS once deployed: its name, a generated ECS service name of ~70 characters, its size. */
const WORKER_VARIABLE_CHARS = 250;

/**
 * Sleep outside working hours, for stages whose settings enable it (never
 * production): scheduler ticks at wakeAt and sleepAt on working days in the
 * stage's time zone (the scheduler follows daylight saving), a weekly
 * summary, one-time checks the function schedules itself, and RDS's 7-day
 * auto-start. Every tick converges on the calendar, so holidays and the
 * keep-awake override are decided in the function, not in cron expressions.
 */
export function sleepOutsideWorkingHours(stack: Stack, wiring: ScheduleWiring) {
  const { app, settings, service, workers, database, stateTable, deadLetters } = wiring;
  const { schedule } = settings;
  if (!sleepsAtNight(settings)) return undefined;

  const groupName = `${app.stage}-${app.name}-schedule`;
  const group = new scheduler.ScheduleGroup(stack, "SleepSchedules", { scheduleGroupName: groupName });
  const invoker = schedulerRole(stack, "SleepScheduler", `Lets EventBridge Scheduler tick the ${app.stage} sleep schedule`);

  const closed = JSON.stringify(closedDays(schedule, wiring.fromYear ?? new Date().getUTCFullYear(), HOLIDAY_YEARS));
  // Each worker's entry in WORKERS takes its share of what is left (its service's name is only known once deployed).
  const budget = CLOSED_DAYS_BUDGET - workers.length * WORKER_VARIABLE_CHARS;
  if (closed.length > budget) {
    const beside = workers.length ? ` beside ${workers.length} worker${workers.length === 1 ? "" : "s"}` : "";
    throw new StageSettingsError(
      `Stage "${app.stage}": schedule: ${closed.length} characters of holidays and closedDates do not fit the function's environment (Lambda allows 4 KB in all; ${budget} are left for them${beside}). List fewer closedDates.`,
    );
  }
  const fn = automationFunction(stack, "Schedule", {
    // A fixed name: the deploy role of the stage may invoke it (keep-awake during a deploy), see stacks/GitHubAccess.ts.
    functionName: scheduleFunctionName(app.stage, app.name),
    handler: "functions/schedule.handler",
    // Nobody waits for it: a cold check costs ~0.19 s of CPU (bench:lambda), ~1.3 s at 256 MB. Peak 68 MB.
    memorySize: 256,
    // A handful of ECS, Application Auto Scaling, RDS and DynamoDB calls; none waits for the database to stop or start.
    timeout: 60,
    description: `Puts ${app.stage} ${app.name} to sleep outside working hours and wakes it (${settings.automationMode})`,
    environment: scheduleVariables(app, settings, {
      closedDays: closed,
      tableName: stateTable.tableName,
      cluster: service.cluster.clusterName,
      service: service.serviceName,
      workers: workers.map((worker) => ({ name: worker.name, service: worker.service.serviceName, sizing: worker.sizing })),
      databaseInstance: database?.instanceIdentifier ?? null,
      scheduleGroup: groupName,
      schedulerRoleArn: invoker.roleArn,
      deadLetterQueueArn: deadLetters.queueArn,
    }),
  });
  suppressLambdaBasics(fn);
  fn.node.addDependency(group);
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(deadLetters) });
  grantPermissions(stack, fn, {
    service,
    workers: workers.map((worker) => worker.service),
    database,
    stateTable,
    groupName,
    canaryName: settings.synthetics.enabled ? syntheticUserName(app) : null,
  });
  letSchedulerInvoke(invoker, fn);
  deadLetters.grantSendMessages(invoker);
  grantSendNotices(fn);

  const days = schedule.workingDays.map((day) => day.toUpperCase()).join(",");
  const tick = (id: string, action: string, at: string, weekDay: string, description: string) => {
    const [hour, minute] = at.split(":");
    return new scheduler.Schedule(stack, id, {
      scheduleName: action,
      scheduleGroup: group,
      description,
      schedule: scheduler.ScheduleExpression.cron({ minute, hour, weekDay, timeZone: TimeZone.of(schedule.timeZone) }),
      target: new LambdaInvoke(fn, {
        role: invoker,
        input: scheduler.ScheduleTargetInput.fromObject({
          action,
          executionId: scheduler.ContextAttribute.executionId,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        deadLetterQueue: deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  };
  tick("SleepTick", "sleep", schedule.sleepAt, days, `Puts ${app.stage} to sleep at the end of each working day`);
  tick("WakeTick", "wake", schedule.wakeAt, days, `Wakes ${app.stage} at the start of each working day (holidays stay asleep)`);
  if (schedule.weeklySummary) {
    tick(
      "WeeklySummaryTick",
      "summary",
      schedule.wakeAt,
      schedule.weeklySummary.toUpperCase(),
      `The week's sleep of ${app.stage} and its saving`,
    );
  }

  if (database)
    new events.Rule(stack, "DatabaseAutoStart", {
      description: "RDS starts a stopped instance after 7 days: the schedule stops it again while the stage should sleep",
      eventPattern: {
        source: ["aws.rds"],
        detailType: ["RDS DB Instance Event"],
        detail: { SourceIdentifier: [database.instanceIdentifier], EventID: [RDS_AUTO_START_EVENT] },
      },
      targets: [new eventTargets.LambdaFunction(fn, { deadLetterQueue: deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(1) })],
    });

  // What the keep-awake command in docs/schedule.md needs.
  new CfnOutput(stack, "ScheduleFunction", { value: fn.functionName, description: 'Invoke with {"action":"check"} after tagging' });
  return fn;
}

function grantPermissions(
  stack: Stack,
  fn: lambda.Function,
  refs: {
    service: ecs.FargateService;
    workers: ecs.FargateService[];
    database: rds.DatabaseInstance | null;
    stateTable: dynamodb.ITableV2;
    groupName: string;
    canaryName: string | null;
  },
) {
  const { service, workers, database, stateTable, groupName } = refs;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["ecs:DescribeServices", "ecs:UpdateService", "ecs:ListTagsForResource", "ecs:TagResource"],
      resources: [service.serviceArn],
    }),
  );
  // The workers are scaled with the public service; their tags are not read (the keep-awake tag is the public one's).
  if (workers.length)
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ecs:DescribeServices", "ecs:UpdateService"],
        resources: workers.map((worker) => worker.serviceArn),
      }),
    );
  grantWildcardOnly(fn, ["application-autoscaling:DescribeScalableTargets"]);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["application-autoscaling:RegisterScalableTarget"],
      resources: [stack.formatArn({ service: "application-autoscaling", resource: "scalable-target", resourceName: "*" })],
    }),
  );
  if (database)
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["rds:DescribeDBInstances", "rds:StopDBInstance", "rds:StartDBInstance"],
        resources: [database.instanceArn],
      }),
    );
  // The synthetic user, paused while the stage sleeps (named: it lives in the Observability stack).
  if (refs.canaryName)
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["synthetics:GetCanary", "synthetics:StopCanary", "synthetics:StartCanary"],
        resources: [
          stack.formatArn({
            service: "synthetics",
            resource: "canary",
            resourceName: refs.canaryName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      // The recorded state, the nights slept and idempotency records.
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
      resources: [stateTable.tableArn],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["scheduler:CreateSchedule"],
      resources: [stack.formatArn({ service: "scheduler", resource: "schedule", resourceName: `${groupName}/recheck-*` })],
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "CloudFormation does not expose a scalable target's ARN (its id is generated): RegisterScalableTarget is limited to this account and region, and Application Auto Scaling also checks ecs:UpdateService, which only this stage's services (the public one and its workers) allow.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:application-autoscaling:.+:scalable-target\\/\\*$/g" }],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: "One-time checks named recheck-<minute>: only schedules of this stage's sleep group match.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:scheduler:.+:schedule\\/.+\\/recheck-\\*$/g" }],
      },
    ],
    true,
  );
}
