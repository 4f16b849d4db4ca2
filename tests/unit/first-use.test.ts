/**
 * Each adapter makes its SDK client at its first call (`client ??= new …` after the SDK's `import()`), so a function
 * that turns an event away makes none, concurrent first calls share one, and a failed first call leaves the
 * adapter usable. The SDK's client classes are counted where they are constructed; their sends are answered by
 * aws-sdk-client-mock.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { cloudWatchAlarmState } from "@hands-off-ops/core/aws/alarms";
import { idempotentOnce } from "@hands-off-ops/core/aws/idempotency";
import { dynamoNotifyStore } from "@hands-off-ops/core/aws/notify-store";
import { stateTable } from "@hands-off-ops/core/aws/state-table";
import { dynamoTicketStore } from "@hands-off-ops/core/aws/ticket-store";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";

const made = vi.hoisted(() => ({ cloudWatch: 0, dynamoDB: 0, contexts: [] as string[] }));

vi.mock("@aws-sdk/client-cloudwatch", async (importOriginal) => {
  const real = await importOriginal<typeof import("@aws-sdk/client-cloudwatch")>();
  class CountedCloudWatchClient extends real.CloudWatchClient {
    constructor(...args: ConstructorParameters<typeof real.CloudWatchClient>) {
      super(...args);
      made.cloudWatch++;
    }
  }
  return { ...real, CloudWatchClient: CountedCloudWatchClient };
});

vi.mock("@aws-sdk/client-dynamodb", async (importOriginal) => {
  const real = await importOriginal<typeof import("@aws-sdk/client-dynamodb")>();
  class CountedDynamoDBClient extends real.DynamoDBClient {
    constructor(...args: ConstructorParameters<typeof real.DynamoDBClient>) {
      super(...args);
      made.dynamoDB++;
    }
  }
  return { ...real, DynamoDBClient: CountedDynamoDBClient };
});

vi.mock("@aws-lambda-powertools/idempotency", async (importOriginal) => {
  const real = await importOriginal<typeof import("@aws-lambda-powertools/idempotency")>();
  class RecordingConfig extends real.IdempotencyConfig {
    override registerLambdaContext(context: Context) {
      made.contexts.push(context.awsRequestId);
      super.registerLambdaContext(context);
    }
  }
  return { ...real, IdempotencyConfig: RecordingConfig };
});

const cloudWatch = mockClient(CloudWatchClient);
const dynamo = mockClient(DynamoDBClient);
// The stores read through lib-dynamodb's document client, over the state table's DynamoDB client.
const documents = mockClient(DynamoDBDocumentClient);

const IN_ALARM = {
  MetricAlarms: [{ AlarmName: "a", StateValue: "ALARM" as const, StateTransitionedTimestamp: new Date("2026-12-04T03:00:00Z") }],
};

beforeEach(() => {
  made.cloudWatch = 0;
  made.dynamoDB = 0;
  made.contexts = [];
  cloudWatch.reset();
  dynamo.reset();
  documents.reset();
});

describe("an adapter's SDK client", () => {
  it("is not made before the first call, and concurrent first calls share one", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves(IN_ALARM);
    const alarms = cloudWatchAlarmState();
    expect(made.cloudWatch).toBe(0);
    const [first, second] = await Promise.all([alarms.now("a"), alarms.now("a")]);
    await alarms.now("a");
    expect([first?.state, second?.state]).toEqual(["ALARM", "ALARM"]);
    expect(made.cloudWatch).toBe(1);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  });

  it("stays usable after a failed first call: the retried event asks again with the same client", async () => {
    cloudWatch
      .on(DescribeAlarmsCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }))
      .resolves(IN_ALARM);
    const alarms = cloudWatchAlarmState();
    await expect(alarms.now("a")).rejects.toThrow("Rate exceeded");
    await expect(alarms.now("a")).resolves.toMatchObject({ state: "ALARM" });
    expect(made.cloudWatch).toBe(1);
  });

  it("is the given one when the caller hands one over (the console's recording clients)", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves(IN_ALARM);
    const given = new CloudWatchClient({});
    made.cloudWatch = 0;
    await cloudWatchAlarmState(given).now("a");
    expect(made.cloudWatch).toBe(0);
  });
});

describe("the state table's client", () => {
  it("is one per function, made at the first store call, whichever store comes first", async () => {
    documents.on(GetCommand).resolves({});
    const table = stateTable();
    const incidents = dynamoNotifyStore("state", table);
    const tickets = dynamoTicketStore("state", table);
    expect(made.dynamoDB).toBe(0);
    await Promise.all([incidents.incident("k"), tickets.ticket("t")]);
    await incidents.thread("d");
    expect(made.dynamoDB).toBe(1);
    expect(documents.commandCalls(GetCommand)).toHaveLength(3);
  });
});

describe("idempotency (Powertools), loaded at the first effect", () => {
  const context = (awsRequestId: string) => ({ awsRequestId, getRemainingTimeInMillis: () => 60_000 }) as Context;

  it("makes no client before the first effect, then hands Powertools the latest invocation's context", async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(UpdateItemCommand).resolves({});
    const once = idempotentOnce("state", "notify", stateTable());
    once.registerContext(context("first"));
    once.registerContext(context("second"));
    expect(made.dynamoDB).toBe(0);
    expect(made.contexts).toEqual([]);
    await expect(once.run("k", async () => ({ done: true }))).resolves.toEqual({ done: true });
    once.registerContext(context("third"));
    await once.run("k2", async () => ({ done: true }));
    expect(made.contexts).toEqual(["second", "third"]);
    expect(made.dynamoDB).toBe(1);
    // Each effect claimed its key in the state table before it ran, and stored its result after.
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });
});
