import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { CreateClusterCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { dynamoSleepLedger } from "@hands-off-ops/core/schedule/aws-sleep-ledger";
import { ecsStageCapacity } from "@hands-off-ops/core/schedule/aws-stage-capacity";
import type { SchedulePorts } from "@hands-off-ops/core/schedule/ports";
import { converge } from "@hands-off-ops/core/schedule/run";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { devEnvironment } from "../fixtures/dev-schedule-environment";
import { type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";
import { motoFargateService } from "../peers/moto-ecs";
import { MOTO_CLIENT } from "../peers/moto-server";

/**
 * A stage with a worker beside its public service (settings `services`), on moto's ECS, Application Auto Scaling
 * and DynamoDB: both services go to sleep with the stage and wake to what each had, through the adapters the
 * function uses, told of the worker as the stack tells the function (WORKERS). No database: a team's services
 * often run without one (database.enabled false), and schedule-on-moto.test.ts covers RDS.
 */
const TABLE = "moto-schedule-workers-state";
// Names of their own: the run's moto server is shared with schedule-on-moto.test.ts.
const CLUSTER = "dev-workers-Cluster";
const WEB = "dev-workers-Service-web";
const QUEUE = "dev-workers-Service-WorkerQueueService";
const MONDAY_EVENING = new Date("2026-11-23T18:00:00Z");
const TUESDAY_MORNING = new Date("2026-11-24T06:30:00Z");

const client = () => ({ ...MOTO_CLIENT, endpoint: inject("motoEndpoint") });
let ecs: ECSClient;
let scaling: ApplicationAutoScalingClient;
let dynamo: LocalDynamo;
const notices: AutomationNotice[] = [];
let ports: SchedulePorts;

const env = devEnvironment({
  STATE_TABLE: TABLE,
  CLUSTER,
  SERVICE: WEB,
  DATABASE_INSTANCES: "0",
  WORKERS: JSON.stringify([
    { name: "queue", service: QUEUE, defaults: { desiredCount: 1, minCapacity: 1, maxCapacity: 3 }, vcpu: 0.5, memoryGb: 1 },
  ]),
});
const config = { ...env.config, databaseName: null };

const createService = (name: string, desiredCount: number, minCapacity: number, maxCapacity: number) =>
  motoFargateService({ ecs, scaling }, { cluster: CLUSTER, name, family: name, desiredCount, minCapacity, maxCapacity });

beforeAll(async () => {
  ecs = new ECSClient(client());
  scaling = new ApplicationAutoScalingClient(client());
  dynamo = await motoDynamo();
  await dynamo.freshTable(TABLE);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await createService(WEB, 2, 1, 4);
  await createService(QUEUE, 3, 2, 6);
  ports = {
    // As schedule/aws-ports.ts builds it: the environment's service target, workers included.
    stage: ecsStageCapacity(env.service, ecs, scaling),
    database: null,
    canary: null,
    ledger: dynamoSleepLedger(TABLE, "dev", dynamo.client),
    rechecks: { at: async () => "scheduled" },
    notify: async (notice) => {
      notices.push(notice);
    },
  };
});

afterAll(async () => {
  for (const c of [ecs, scaling]) c?.destroy();
  await dynamo?.close();
});

/** Each service's desired count and scalable target limits, as moto holds them. */
async function awsState() {
  const [{ services }, { ScalableTargets }] = await Promise.all([
    ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [WEB, QUEUE] })),
    scaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [WEB, QUEUE].map((s) => `service/${CLUSTER}/${s}`) }),
    ),
  ]);
  const of = (name: string) => ({
    desiredCount: services?.find((s) => s.serviceName === name)?.desiredCount,
    minCapacity: ScalableTargets?.find((t) => t.ResourceId === `service/${CLUSTER}/${name}`)?.MinCapacity,
    maxCapacity: ScalableTargets?.find((t) => t.ResourceId === `service/${CLUSTER}/${name}`)?.MaxCapacity,
  });
  return { web: of(WEB), queue: of(QUEUE) };
}

const ZERO = { desiredCount: 0, minCapacity: 0, maxCapacity: 0 };

describe("a web service and a worker sleep and wake with their stage, on moto (ECS, Application Auto Scaling, DynamoDB)", () => {
  it("puts both to sleep: no task and limits at zero for each, what each ran recorded; twice is once", async () => {
    expect(await awsState()).toEqual({
      web: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 },
      queue: { desiredCount: 3, minCapacity: 2, maxCapacity: 6 },
    });
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(await awsState()).toEqual({ web: ZERO, queue: ZERO });
    expect(await ports.ledger.current()).toMatchObject({
      capacity: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 },
      workers: { queue: { desiredCount: 3, minCapacity: 2, maxCapacity: 6 } },
      database: "none",
    });
    expect(notices[0]?.actionsTaken).toEqual([
      "Scaled the public service to 0 tasks (auto scaling 0–0).",
      "Scaled worker queue to 0 tasks (auto scaling 0–0).",
    ]);

    const again = await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    expect(again.plan.steps).toEqual([]);
    expect(await awsState()).toEqual({ web: ZERO, queue: ZERO });
  });

  it("wakes both to exactly what each had, forgets the record and books the night", async () => {
    await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    expect(await awsState()).toEqual({
      web: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 },
      queue: { desiredCount: 3, minCapacity: 2, maxCapacity: 6 },
    });
    expect(await ports.ledger.current()).toBeNull();
    const [night] = await ports.ledger.nights(new Date("2026-11-23T00:00:00Z"));
    // 12.5 h of 2 × (0.25 vCPU, 0.5 GB) and 3 × (0.5 vCPU, 1 GB) at the dev stage's prices.
    expect(night?.saved).toBeCloseTo(12.5 * (2 * (0.25 * 0.03725 + 0.5 * 0.00409) + 3 * (0.5 * 0.03725 + 0.00409)), 9);
    expect(notices.at(-1)?.actionsTaken).toEqual([
      "Restored the public service: 2 tasks (auto scaling 1–4).",
      "Restored worker queue: 3 tasks (auto scaling 2–6).",
    ]);
  });

  it("wakes a worker from a record written before workers slept (none of its own): at its defaults", async () => {
    await converge({ kind: "sleep" }, config, ports, MONDAY_EVENING);
    // The record as the schedule wrote it before this change: the public service's capacity only.
    await DynamoDBDocumentClient.from(dynamo.client).send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: "schedule#dev",
          sk: "asleep",
          capacity: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 },
          database: "none",
          sleptAt: MONDAY_EVENING.toISOString(),
        },
      }),
    );
    expect(await ports.ledger.current()).not.toHaveProperty("workers");
    await converge({ kind: "wake" }, config, ports, TUESDAY_MORNING);
    expect(await awsState()).toEqual({
      web: { desiredCount: 2, minCapacity: 1, maxCapacity: 4 },
      queue: { desiredCount: 1, minCapacity: 1, maxCapacity: 3 },
    });
  });
});
