import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { CreateClusterCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateDBInstanceCommand, DescribeDBInstancesCommand, RDSClient, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { CreateScheduleGroupCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { rdsDatabasePower } from "@hands-off-ops/core/schedule/aws-database-power";
import { schedulerRechecks } from "@hands-off-ops/core/schedule/aws-recheck-schedules";
import { dynamoSleepLedger } from "@hands-off-ops/core/schedule/aws-sleep-ledger";
import { ecsStageCapacity } from "@hands-off-ops/core/schedule/aws-stage-capacity";
import type { SchedulePorts } from "@hands-off-ops/core/schedule/ports";
import { converge } from "@hands-off-ops/core/schedule/run";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLUSTER, DB, devEnvironment, SERVICE } from "../fixtures/dev-schedule-environment";
import { type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";
import { motoFargateService } from "../peers/moto-ecs";
import { MOTO_CLIENT } from "../peers/moto-server";

/**
 * The sleep schedule's real adapters against moto's ECS, Application Auto
 * Scaling, RDS (with its own state checks: a stopped instance cannot be
 * stopped again), DynamoDB and Scheduler: an AWS the adapters were not
 * written against. The unit tests (tests/unit/schedule) cover every plan
 * with aws-sdk-client-mock; this covers what only a real API can say.
 */
const TABLE = "moto-schedule-state";
// Monday 23 November 2026 in Berlin (CET, UTC+1): the dev calendar sleeps at 19:00 and wakes on Tuesday at 07:30.
const MONDAY_EVENING = new Date("2026-11-23T18:00:00Z");
const TUESDAY_MORNING = new Date("2026-11-24T06:30:00Z");

const client = () => ({ ...MOTO_CLIENT, endpoint: inject("motoEndpoint") });
let ecs: ECSClient;
let scaling: ApplicationAutoScalingClient;
let rds: RDSClient;
let scheduler: SchedulerClient;
let dynamo: LocalDynamo;
const notices: AutomationNotice[] = [];
let ports: SchedulePorts;

const { config, rechecks } = devEnvironment({ STATE_TABLE: TABLE });

beforeAll(async () => {
  ecs = new ECSClient(client());
  scaling = new ApplicationAutoScalingClient(client());
  rds = new RDSClient(client());
  scheduler = new SchedulerClient(client());
  dynamo = await motoDynamo();
  await dynamo.freshTable(TABLE);

  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await motoFargateService(
    { ecs, scaling },
    { cluster: CLUSTER, name: SERVICE, family: "dev-hands-off-ops-app", desiredCount: 3, minCapacity: 2, maxCapacity: 6 },
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: DB,
      Engine: "postgres",
      EngineVersion: "17.6",
      DBInstanceClass: "db.t4g.micro",
      AllocatedStorage: 20,
      MasterUsername: "app",
      MasterUserPassword: "not-a-secret-on-moto",
    }),
  );
  await scheduler.send(new CreateScheduleGroupCommand({ Name: rechecks.groupName }));

  ports = {
    stage: ecsStageCapacity({ cluster: CLUSTER, service: SERVICE }, ecs, scaling),
    database: rdsDatabasePower(DB, rds),
    // dev has no synthetic user (synthetics.enabled is false there); moto has no Synthetics either.
    canary: null,
    ledger: dynamoSleepLedger(TABLE, "dev", dynamo.client),
    rechecks: schedulerRechecks(
      {
        ...rechecks,
        functionArn: "arn:aws:lambda:eu-central-1:123456789012:function:dev-hands-off-ops-schedule",
      },
      scheduler,
    ),
    notify: async (notice) => {
      notices.push(notice);
    },
  };
});

afterAll(async () => {
  for (const c of [ecs, scaling, rds, scheduler]) c?.destroy();
  await dynamo?.close();
});

async function awsState() {
  const [{ services }, { ScalableTargets }, { DBInstances }] = await Promise.all([
    ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })),
    scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [`service/${CLUSTER}/${SERVICE}`] })),
    rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: DB })),
  ]);
  return {
    desiredCount: services?.[0]?.desiredCount,
    minCapacity: ScalableTargets?.[0]?.MinCapacity,
    maxCapacity: ScalableTargets?.[0]?.MaxCapacity,
    database: DBInstances?.[0]?.DBInstanceStatus,
  };
}

describe("the sleep schedule on moto (ECS, Application Auto Scaling, RDS, DynamoDB, Scheduler)", () => {
  it("puts the stage to sleep: no task, limits at zero, the database stopped, what it was recorded; twice is once", async () => {
    expect(await awsState()).toEqual({ desiredCount: 3, minCapacity: 2, maxCapacity: 6, database: "available" });
    const first = await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(first.dryRun).toBe(false);
    expect(await awsState()).toEqual({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    expect(await ports.ledger.current()).toMatchObject({
      capacity: { desiredCount: 3, minCapacity: 2, maxCapacity: 6 },
      database: "available",
    });

    // A second delivery of the same tick: nothing left to do, and nothing RDS would refuse is asked.
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(await awsState()).toEqual({ desiredCount: 0, minCapacity: 0, maxCapacity: 0, database: "stopped" });
    expect(notices.length).toBeGreaterThanOrEqual(1);
  });

  it("RDS itself refuses to stop a stopped instance: the plan never asks it to", async () => {
    await expect(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: DB }))).rejects.toThrow(/state|stopped/i);
  });

  it("wakes the stage to exactly what it was, and forgets the night's record", async () => {
    await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    expect(await awsState()).toEqual({ desiredCount: 3, minCapacity: 2, maxCapacity: 6, database: "available" });
    expect(await ports.ledger.current()).toBeNull();
    const nights = await ports.ledger.nights(new Date("2026-11-23T00:00:00Z"));
    expect(nights).toHaveLength(1);
  });

  it("keeps a stage awake by tagging the service, and schedules the check for when the keep-awake ends", async () => {
    const until = new Date("2026-11-24T20:30:00Z");
    await converge({ kind: "keep-awake", until, reason: "release rehearsal" }, config, ports, new Date("2026-11-24T18:30:00Z"));
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE], include: ["TAGS"] }));
    expect(Object.fromEntries((services?.[0]?.tags ?? []).map((t) => [t.key, t.value]))).toMatchObject({
      "keep-awake-until": until.toISOString(),
      "keep-awake-reason": "release rehearsal",
    });
    expect(await awsState()).toMatchObject({ desiredCount: 3, database: "available" });
    const { Schedules } = await scheduler.send(new ListSchedulesCommand({ GroupName: rechecks.groupName }));
    expect(Schedules?.map((s) => s.Name)).toContain("recheck-202611242030");
  });
});
