import { dynamoRollbackLedger } from "@hands-off-ops/core/rollback/aws-ledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";

const TABLE = "rollback-state";
const T0 = new Date("2026-11-20T03:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await motoDynamo();
});
afterAll(() => dynamo.close());
beforeEach(() => dynamo.freshTable(TABLE));

const ledger = (stage = "prod") => dynamoRollbackLedger(TABLE, stage, dynamo.client);

describe("the rollback ledger in the state table (moto)", () => {
  it("lets exactly one of several concurrent deliveries claim a bad release", async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger().claim("d-BAD", T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ledger().claim("d-BAD", minutes(5))).toBe(false);
    expect(await ledger("staging").claim("d-BAD", T0)).toBe(true);
  });

  it("gives a claim back so that a retry can roll back", async () => {
    expect(await ledger().claim("d-BAD", T0)).toBe(true);
    await ledger().release("d-BAD");
    expect(await ledger().claim("d-BAD", minutes(1))).toBe(true);
  });

  it("lists the rollbacks since a moment, newest first, for the cooldown and the daily cap", async () => {
    await ledger().recordRollback("d-A", "d-RA", minutes(-1500));
    await ledger().recordRollback("d-B", "d-RB", minutes(-90));
    await ledger().recordRollback("d-C", "d-RC", minutes(-5));
    expect(await ledger().recentRollbacks(minutes(-1440))).toEqual([
      { badDeploymentId: "d-C", at: minutes(-5) },
      { badDeploymentId: "d-B", at: minutes(-90) },
    ]);
  });

  it("keeps dry-run's rehearsals apart: its claim does not take the real one, and its rollbacks say they were decided only", async () => {
    expect(await ledger().claim("d-BAD", T0, true)).toBe(true);
    expect(await ledger().claim("d-BAD", T0, true)).toBe(false);
    expect(await ledger().claim("d-BAD", T0)).toBe(true);
    await ledger().recordRollback("d-BAD", null, minutes(-5));
    expect(await ledger().recentRollbacks(minutes(-60))).toEqual([{ badDeploymentId: "d-BAD", at: minutes(-5), dryRun: true }]);
  });

  it("keeps an audit trail a person can read, newest first", async () => {
    await ledger().audit({
      eventId: "e-1",
      at: minutes(1),
      alarmName: "prod-app-Alb5xxRate",
      decision: { action: "none", reason: "cooldown" },
      outcome: "nothing",
    });
    await ledger().audit({
      eventId: "e-2",
      at: minutes(2),
      alarmName: "prod-app-Alb5xxRate",
      decision: { action: "redeploy-previous" },
      outcome: "rolled-back",
    });
    const trail = await ledger().trail(10);
    expect(trail.map((r) => [r.eventId, r.outcome])).toEqual([
      ["e-2", "rolled-back"],
      ["e-1", "nothing"],
    ]);
    expect(trail[1]?.decision).toEqual({ action: "none", reason: "cooldown" });
  });
});
