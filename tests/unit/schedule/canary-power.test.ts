import { GetCanaryCommand, StartCanaryCommand, StopCanaryCommand, type SyntheticsClient } from "@aws-sdk/client-synthetics";
import { canaryState, syntheticsCanary } from "@hands-off-ops/core/schedule/aws-canary-power";
import { describe, expect, it } from "vitest";

/**
 * The synthetic user's adapter, with a client whose `send` records the
 * commands: moto 5.2 has no Synthetics, and aws-sdk-client-mock's types do
 * not accept client-synthetics 3.669 (the newest this registry carries; its
 * smithy types are older).
 */
function recordingClient(state: string) {
  const sent: { command: string; input: unknown }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: unknown }) {
      sent.push({ command: command.constructor.name, input: command.input });
      return command instanceof GetCanaryCommand ? { Canary: { Status: { State: state } } } : {};
    },
  };
  return { sent, client: client as unknown as SyntheticsClient };
}

describe("the synthetic user's power switch", () => {
  it("reads its state by name, and stops and starts it by name", async () => {
    const { sent, client } = recordingClient("RUNNING");
    const canary = syntheticsCanary("dev-hands-off-ops-user", client);
    expect(await canary.status()).toBe("running");
    await canary.stop();
    await canary.start();
    expect(sent).toEqual([
      { command: GetCanaryCommand.name, input: { Name: "dev-hands-off-ops-user" } },
      { command: StopCanaryCommand.name, input: { Name: "dev-hands-off-ops-user" } },
      { command: StartCanaryCommand.name, input: { Name: "dev-hands-off-ops-user" } },
    ]);
  });

  it.each([
    ["RUNNING", "running"],
    ["STOPPED", "stopped"],
    ["READY", "stopped"],
    ["STARTING", "changing"],
    ["STOPPING", "changing"],
    ["UPDATING", "changing"],
    ["ERROR", "changing"],
    [undefined, "changing"],
  ])("takes Synthetics' %s as %s", (state, expected) => {
    expect(canaryState(state)).toBe(expected);
  });
});
