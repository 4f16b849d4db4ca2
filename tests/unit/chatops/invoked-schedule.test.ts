import { invokedSchedule } from "@hands-off-ops/core/chatops/aws-function-invoke";
import { describe, expect, it } from "vitest";

/**
 * The Slack worker's keep-awake, through the schedule function's own answers (functions/schedule.ts, schedule/run.ts).
 * The client is a stand-in for LambdaClient.send: the adapter's SDK copy (packages/core's) is not the one
 * aws-sdk-client-mock's types accept from the root.
 */
function lambdaAnswering(answer: unknown) {
  const payloads: unknown[] = [];
  const client = {
    async send(command: { input: { Payload: Uint8Array } }) {
      payloads.push(JSON.parse(new TextDecoder().decode(command.input.Payload)));
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answer)) };
    },
  };
  return { client: client as never, payloads };
}

const BERLIN = "Europe/Berlin";
// Tuesday 24 November 2026, 17:10 in Berlin (CET).
const PRESSED = new Date("2026-11-24T16:10:00Z");

describe("the schedule function asked from Slack", () => {
  it("Wake now asks it to act only on a sleeping stage, and tells the presser when the stage was awake already", async () => {
    const { client, payloads } = lambdaAnswering({ declined: "dev is already awake (working hours)", plan: { steps: [] } });
    const said = await invokedSchedule("dev-hands-off-ops-schedule", BERLIN, client).keepAwake(120, "alice pressed Wake now", true);
    expect(payloads).toEqual([{ action: "keep-awake", minutes: 120, reason: "alice pressed Wake now", wakeOnly: true }]);
    expect(said).toBe("not done: dev is already awake (working hours) — nothing was changed");
  });

  it("Keep awake sends no wakeOnly, and reports the wake it caused, until when in the stage's zone with UTC beside", async () => {
    const { client, payloads } = lambdaAnswering({ plan: { steps: [{ kind: "scale" }] }, dryRun: false });
    const said = await invokedSchedule("dev-hands-off-ops-schedule", BERLIN, client, () => PRESSED).keepAwake(
      120,
      "alice pressed Keep awake",
      false,
    );
    expect(payloads).toEqual([{ action: "keep-awake", minutes: 120, reason: "alice pressed Keep awake" }]);
    expect(said).toBe("waking up; kept awake until 19:10 CET (18:10 UTC)");
  });

  it("tells a UTC stage's time in UTC alone, and the day when it is tomorrow", async () => {
    const { client } = lambdaAnswering({ plan: { steps: [] }, dryRun: true });
    expect(await invokedSchedule("dev-hands-off-ops-schedule", "UTC", client, () => PRESSED).keepAwake(120, "alice", false)).toBe(
      "kept awake until 18:10 UTC (dry-run: nothing was changed)",
    );
    const late = () => new Date("2026-11-24T22:30:00Z");
    expect(await invokedSchedule("dev-hands-off-ops-schedule", BERLIN, client, late).keepAwake(120, "alice", false)).toBe(
      "kept awake until 2026-11-25 01:30 CET (00:30 UTC) (dry-run: nothing was changed)",
    );
  });
});
