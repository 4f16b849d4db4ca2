import { dynamoSleepLedger } from "@hands-off-ops/core/schedule/aws-sleep-ledger";
import type { SleepRecord } from "@hands-off-ops/core/schedule/plan";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";

const TABLE = "schedule-state";
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await motoDynamo();
});
afterAll(() => dynamo.close());
beforeEach(() => dynamo.freshTable(TABLE));

const ledger = (stage = "dev") => dynamoSleepLedger(TABLE, stage, dynamo.client);
const record = (desiredCount: number): SleepRecord => ({
  capacity: { desiredCount, minCapacity: 1, maxCapacity: 4 },
  database: "available",
  sleptAt: "2026-11-23T18:00:00.000Z",
});

describe("the sleep ledger in the state table (moto)", () => {
  it("keeps the first record of a night: concurrent sleeps cannot overwrite what the stage was", async () => {
    const written = await Promise.all([1, 2, 3, 4, 5].map((n) => ledger().record(record(n))));
    expect(written.filter(Boolean)).toHaveLength(1);
    const kept = await ledger().current();
    expect(kept).toEqual(record(written.indexOf(true) + 1));
    expect(await ledger().record(record(9))).toBe(false);
    expect(await ledger("pr-7").current()).toBeNull();
  });

  it("forgets the record at wake, so that the next night records afresh", async () => {
    await ledger().record(record(2));
    await ledger().forget();
    expect(await ledger().current()).toBeNull();
    expect(await ledger().record(record(3))).toBe(true);
    expect((await ledger().current())?.capacity.desiredCount).toBe(3);
  });

  it("lists the nights that ended since a moment, with what they saved", async () => {
    const night = (sleptAt: string, wokeAt: string, saved: number) => ({ sleptAt: new Date(sleptAt), wokeAt: new Date(wokeAt), saved });
    await ledger().addNight(night("2026-11-13T18:00:00Z", "2026-11-16T06:30:00Z", 1.82));
    await ledger().addNight(night("2026-11-23T18:00:00Z", "2026-11-24T06:30:00Z", 0.38));
    await ledger().addNight(night("2026-11-24T18:00:00Z", "2026-11-25T06:30:00Z", 0.38));
    await ledger("staging").addNight(night("2026-11-24T18:00:00Z", "2026-11-25T06:30:00Z", 9));
    const nights = await ledger().nights(new Date("2026-11-23T00:00:00Z"));
    expect(nights).toEqual([
      night("2026-11-23T18:00:00Z", "2026-11-24T06:30:00Z", 0.38),
      night("2026-11-24T18:00:00Z", "2026-11-25T06:30:00Z", 0.38),
    ]);
  });
});
