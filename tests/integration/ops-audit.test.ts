import { dynamoChatOpsAudit } from "@hands-off-ops/core/aws/ticket-store";
import { dynamoRollbackLedger } from "@hands-off-ops/core/rollback/aws-ledger";
import { dynamoSleepLedger } from "@hands-off-ops/core/schedule/aws-sleep-ledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../helpers/run-command";
import { LOCAL_CREDENTIALS, type LocalDynamo, motoDynamo } from "../peers/moto-dynamodb";

const TABLE = "audit-state";
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await motoDynamo();
  await dynamo.freshTable(TABLE);
});
afterAll(() => dynamo.close());

/** `npm run ops -- audit` against the local table, as a person with credentials runs it. */
const audit = (...args: string[]) =>
  runCommand("ops", ["audit", ...args], {
    AWS_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });

describe("npm run ops -- audit", () => {
  it("prints the rollback decisions newest first, and the nights a sleeping stage slept", async () => {
    const ledger = dynamoRollbackLedger(TABLE, "dev", dynamo.client);
    await ledger.audit({
      eventId: "e-1",
      at: new Date("2026-11-20T03:00:00Z"),
      alarmName: "dev-hands-off-ops-DatabaseCpu",
      decision: { action: "none", why: "DatabaseCpu cannot blame a release" },
      outcome: "nothing",
    });
    await ledger.audit({
      eventId: "e-2",
      at: new Date("2026-11-21T14:05:00Z"),
      alarmName: "dev-hands-off-ops-Alb5xxRate",
      decision: { action: "redeploy-previous", why: "release d-BAD finished 12 min ago, inside the bake window" },
      outcome: "rolled-back",
    });
    const nights = dynamoSleepLedger(TABLE, "dev", dynamo.client);
    const recent = Date.now() - 2 * 86_400_000;
    await nights.addNight({ sleptAt: new Date(recent), wokeAt: new Date(recent + 12.5 * 3_600_000), saved: 0.38 });

    const { code, stdout } = await audit("--stage", "dev", "--table", TABLE);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "Automatic rollback decisions on dev, newest first (2):",
      "  2026-11-21 14:05 UTC  dev-hands-off-ops-Alb5xxRate  redeploy-previous → rolled-back: release d-BAD finished 12 min ago, inside the bake window  (event e-2)",
      "  2026-11-20 03:00 UTC  dev-hands-off-ops-DatabaseCpu  none → nothing: DatabaseCpu cannot blame a release  (event e-1)",
    ]);
    expect(stdout).toContain("Nights slept on dev, newest first (1):");
    expect(stdout).toContain("Slack buttons pressed on dev, newest first (0):");
    expect(stdout).toMatch(/ {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC → \d{4}-\d\d-\d\d \d\d:\d\d UTC {2}12\.5 h, about \$0\.38 saved/);
  });

  it("a stage that never sleeps shows its decisions only; --limit keeps the newest", async () => {
    await dynamoRollbackLedger(TABLE, "prod", dynamo.client).audit({
      eventId: "p-1",
      at: new Date("2026-11-22T09:00:00Z"),
      alarmName: "prod-hands-off-ops-Alb5xxRate",
      decision: { action: "stop-deployment", why: "a release is in progress" },
      outcome: "would-stop",
    });
    const { code, stdout } = await audit("--stage", "prod", "--table", TABLE, "--limit", "1");
    expect(code).toBe(0);
    expect(stdout).toContain("prod-hands-off-ops-Alb5xxRate  stop-deployment → would-stop: a release is in progress");
    expect(stdout).not.toContain("Nights slept");
  });

  it("lists the buttons pressed in Slack: who, what, on which incident, with what result", async () => {
    await dynamoChatOpsAudit(TABLE, "staging", dynamo.client).record({
      at: "2026-11-24T16:06:00.000Z",
      stage: "staging",
      userId: "U0ALICE001",
      userName: "alice",
      action: "acknowledge",
      subject: "alarm:staging-hands-off-ops-Alb5xxRate",
      outcome: "acknowledged",
    });
    const { code, stdout } = await audit("--stage", "staging", "--table", TABLE);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Slack buttons pressed on staging, newest first (1):\n  2026-11-24 16:06 UTC  alice (U0ALICE001)  acknowledge alarm:staging-hands-off-ops-Alb5xxRate → acknowledged",
    );
  });

  it("says why when AWS cannot be read, with exit code 1", async () => {
    const { code, stderr } = await audit("--stage", "dev", "--table", "no-such-table");
    expect(stderr).toContain("Could not read the audit trail of dev: ResourceNotFoundException");
    expect(code).toBe(1);
  });

  it("refuses a bad --limit with exit code 2", async () => {
    const { code, stderr } = await audit("--stage", "dev", "--limit", "lots");
    expect(stderr).toContain("--limit must be a whole number from 1 to 500");
    expect(code).toBe(2);
  });
});
