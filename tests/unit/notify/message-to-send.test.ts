import { DeliveryError, type DeliveryReport, deliveryFailure } from "@hands-off-ops/core/notify/deliver";
import type { NotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { messageToSend, whyNoMessage } from "@hands-off-ops/core/notify/message-to-send";
import type { NotifyDependencies } from "@hands-off-ops/core/notify/ports";
import { describe, expect, it } from "vitest";
import { loadEvent, releaseAlarmEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";
import { messageOf } from "./message-of";

describe("the message an event becomes", () => {
  it("is none for an event normalize ignores, named by the event's id, and the delivery ports are never loaded", async () => {
    const event = loadEvent("ecs-task-state-change");
    const env = { context: PROD_CONTEXT } as NotifyEnvironment;
    const dependencies = { ports: () => Promise.reject(new Error("the delivery ports were loaded")) } as unknown as NotifyDependencies;
    expect(await messageToSend(event, env, dependencies, () => {})).toEqual({ ignored: "task is RUNNING, not stopped", eventId: event.id });
  });
});

describe("a message not worth sending", () => {
  it("is a steady service that no open incident hears of", () => {
    const steady = messageOf(loadEvent("ecs-service-action-steady-state"));
    expect(whyNoMessage(steady)).toBe("the service is steady and has no open incident");
  });

  it("is not a steady service that ends an open incident, nor anything else", () => {
    const steady = messageOf(loadEvent("ecs-service-action-steady-state"));
    const ending = {
      ...steady,
      incident: { role: "step" as const, key: "k", did: "steady", escalates: false, deployments: [], ends: true },
    };
    expect(whyNoMessage(ending)).toBeUndefined();
    expect(whyNoMessage(messageOf(releaseAlarmEvent()))).toBeUndefined();
  });
});

describe("what the log says of a failed delivery", () => {
  it("is the report of every channel tried when the delivery failed as a whole, else the event's id beside the error", () => {
    const report = { eventId: "e-1", email: "failed", slack: "failed", graph: "none", incident: "no" } satisfies DeliveryReport;
    const failed = new DeliveryError(report, [new Error("SNS down")]);
    expect(deliveryFailure(failed, "e-1")).toEqual({ report, error: failed });
    const unexpected = new TypeError("boom");
    expect(deliveryFailure(unexpected, "e-1")).toEqual({ eventId: "e-1", error: unexpected });
  });
});
