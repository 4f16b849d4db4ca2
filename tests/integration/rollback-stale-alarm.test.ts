import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { cloudWatchAlarmState } from "@hands-off-ops/core/aws/alarms";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { dynamoRollbackLedger } from "@hands-off-ops/core/rollback/aws-ledger";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import type { RollbackDeploymentsPort } from "@hands-off-ops/core/rollback/ports";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createRollbackHandler } from "../../functions/rollback";
import { stageSettings } from "../../stacks/config";
import { releaseAlarmEvent } from "../fixtures/events";
import { type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";
import { MOTO_CLIENT } from "../peers/moto-server";
import { memoryOnce } from "../unit/notify/fakes";

/**
 * The stale-alarm guard against moto's CloudWatch, an implementation of DescribeAlarms the adapter was not written
 * with: the alarm goes to ALARM, then to OK; the ALARM's event arrives only then (EventBridge delivers at least once
 * and in no guaranteed order, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html).
 * The rollback must make no CodeDeploy (or ECS) call at all, and the ledger must hold no claim.
 */
const STAGE = "stalealarm";
const ALARM = `${STAGE}-hands-off-ops-Alb5xxRate`;
const TABLE = "moto-rollback-stale-alarm";

let cloudWatch: CloudWatchClient;
let dynamo: LocalDynamo;

const env = readRollbackEnvironment({
  STAGE,
  APP_NAME: "hands-off-ops",
  AUTOMATION_MODE: "enforce",
  ROLLBACK_SETTINGS: JSON.stringify(stageSettings("prod", {}).rollback),
  BAKE_WINDOW_MINUTES: "60",
  STATE_TABLE: TABLE,
  RELEASE_ALARMS: `${STAGE}-hands-off-ops-Alb5xxRate`,
  RELEASE_CONTROLLER: "codedeploy",
  APPLICATION: `${STAGE}-hands-off-ops-Service`,
  DEPLOYMENT_GROUP: `${STAGE}-hands-off-ops-Service`,
  CONTAINER_NAME: "app",
  CONTAINER_PORT: "8080",
});

/** CodeDeploy as the rollback would find it (a release in progress), every call written down. */
function recordedDeployments(calls: string[]): RollbackDeploymentsPort {
  const inProgress = {
    deploymentId: "d-NOW",
    taskDefinitionArn: "arn:aws:ecs:eu-central-1:123456789012:task-definition/web:43",
    at: new Date(Date.now() - 120_000),
    automaticRollback: false,
  };
  return {
    async history() {
      calls.push("history");
      return { inProgress, lastSuccess: null, previousSuccess: null };
    },
    async stop() {
      calls.push("stop");
      return "stopped";
    },
    async redeploy() {
      calls.push("redeploy");
      return "d-ROLLBACK";
    },
  };
}

function rollbackFunction() {
  const calls: string[] = [];
  const notices: AutomationNotice[] = [];
  const ledger = dynamoRollbackLedger(TABLE, STAGE, dynamo.client);
  const handle = createRollbackHandler(
    env,
    {
      alarms: cloudWatchAlarmState(cloudWatch),
      deployments: recordedDeployments(calls),
      ledger,
      notify: async (n) => void notices.push(n),
    },
    memoryOnce(),
  );
  return { handle, calls, notices, ledger };
}

async function setState(state: "ALARM" | "OK") {
  await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: state, StateReason: `set to ${state} by the test` }));
  const { MetricAlarms = [] } = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));
  const at = MetricAlarms[0]?.StateUpdatedTimestamp;
  if (!at) throw new Error(`moto described ${ALARM} without StateUpdatedTimestamp`);
  return at;
}

/** The AWS documentation's sample ALARM event, for this alarm, raised when CloudWatch says it went to ALARM. */
function alarmEvent(id: string, raised: Date) {
  const event = releaseAlarmEvent(STAGE);
  event.id = id;
  event.time = `${raised.toISOString().slice(0, 19)}Z`;
  event.detail.state.timestamp = raised.toISOString().replace("Z", "+0000");
  return event;
}

beforeAll(async () => {
  cloudWatch = new CloudWatchClient({ ...MOTO_CLIENT, endpoint: inject("motoEndpoint") });
  dynamo = await motoDynamo();
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
});
afterAll(() => dynamo.close());
beforeEach(() => dynamo.freshTable(TABLE));

describe("the rollback against moto's CloudWatch", () => {
  it("changes nothing for an ALARM delivered after its OK: no CodeDeploy call, no claim, told as stale", async () => {
    const raised = await setState("ALARM");
    // CloudWatch's timestamps are to the millisecond: the OK must be a later one.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ended = await setState("OK");
    expect(ended.getTime()).toBeGreaterThan(raised.getTime());

    const { handle, calls, notices, ledger } = rollbackFunction();
    await expect(handle(alarmEvent("late-alarm", raised))).resolves.toMatchObject({
      decision: { action: "none", reason: "stale-alarm" },
      outcome: { kind: "nothing" },
    });
    expect(calls).toEqual([]);
    expect(await ledger.claim("d-NOW", new Date(), false, "stop")).toBe(true);
    expect(notices[0]?.summary).toMatch(/^Alb5xxRate is OK since .+ UTC, after this ALARM was raised at .+ UTC; nothing was changed\./);
  });

  it("stops the release in progress for the ALARM CloudWatch still holds (the guard is not a mute)", async () => {
    const raised = await setState("ALARM");
    const { handle, calls } = rollbackFunction();
    await expect(handle(alarmEvent("current-alarm", raised))).resolves.toMatchObject({
      decision: { action: "stop-deployment", deploymentId: "d-NOW" },
      outcome: { kind: "stopped" },
    });
    expect(calls).toEqual(["history", "stop"]);
  });

  it("changes nothing for an alarm CloudWatch does not know", async () => {
    const { handle, calls } = rollbackFunction();
    const event = alarmEvent("unknown-alarm", new Date());
    event.detail.alarmName = `${STAGE}-hands-off-ops-TargetP99Latency`;
    await expect(handle(event)).resolves.toMatchObject({ decision: { reason: "stale-alarm" } });
    expect(calls).toEqual([]);
  });
});
