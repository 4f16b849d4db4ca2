import type { SyntheticsClient } from "@aws-sdk/client-synthetics";
import { clientAtFirstUse } from "../aws/clients";
import type { CanaryState } from "./plan";
import type { CanaryPowerPort } from "./ports";

/**
 * The stage's synthetic user, paused while the stage sleeps. (The npm
 * registry this project installs from carries @aws-sdk/client-synthetics up
 * to 3.669.0 only, older than the other clients; it is loaded only by the
 * schedule function, and only on stages that have a synthetic user.)
 */
export function syntheticsCanary(name: string, given?: SyntheticsClient): CanaryPowerPort {
  const synthetics = clientAtFirstUse(
    () => import("../aws/sdk/synthetics"),
    (sdk) => new sdk.SyntheticsClient({}),
    given,
  );
  return {
    async status() {
      const { sdk, client } = await synthetics();
      const { Canary } = await client.send(new sdk.GetCanaryCommand({ Name: name }));
      return canaryState(Canary?.Status?.State);
    },
    async stop() {
      const { sdk, client } = await synthetics();
      await client.send(new sdk.StopCanaryCommand({ Name: name }));
    },
    async start() {
      const { sdk, client } = await synthetics();
      await client.send(new sdk.StartCanaryCommand({ Name: name }));
    },
  };
}

/** Synthetics' states, as the schedule needs them: it stops a running one and starts a stopped one (READY: never started). */
export function canaryState(state: string | undefined): CanaryState {
  if (state === "RUNNING") return "running";
  if (state === "STOPPED" || state === "READY") return "stopped";
  return "changing";
}
