import type { HttpPort } from "@hands-off-ops/core/canary/ports";
import type { Recorder } from "../recorder";
import type { Scenario } from "../scenario";

/**
 * The release's two versions behind the stage's listeners, as the hooks' checks reach them: answered from the
 * scenario by path (an unknown path is a 404, like the service's), with a latency the scenario gives.
 */
export function listenerAnswers(recorder: Recorder, scenario: Scenario, testUrl: string): HttpPort {
  let request = 0;
  return {
    async send({ method, url }) {
      const parsed = new URL(url);
      const side = url.startsWith(testUrl) ? "test" : "production";
      const answer = scenario.http[side][parsed.pathname] ?? { status: 404, body: "not found", latencyMs: 10 };
      // A little spread around the scenario's latency, the same in every replay: a comparison needs varying samples.
      const latencyMs = answer.latencyMs * (0.9 + ((request++ * 37) % 21) / 100);
      recorder.http(method, `${side} listener ${parsed.pathname}`, `${answer.status}`);
      return { kind: "response", status: answer.status, body: answer.body, latencyMs };
    },
  };
}
