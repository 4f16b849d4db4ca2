import { impactSeverity, withServiceImpact } from "@hands-off-ops/core/notify/service-impact";
import { describe, expect, it } from "vitest";
import { loadEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

describe("ECS service events graded by what they do to the service", () => {
  it.each([
    [{ running: 1, desired: 3 }, "production", "critical"],
    [{ running: 0, desired: 2 }, "staging", "critical"],
    [{ running: 1, desired: 1 }, "staging", "warning"],
    [{ running: 2, desired: 2 }, "production", "warning"],
    [{ running: 0, desired: 1 }, "development", "warning"],
    [{ running: 1, desired: 1 }, "development", "info"],
  ] as const)("%o on a %s stage is %s", (counts, kind, severity) => {
    expect(impactSeverity(counts, kind)).toBe(severity);
  });

  it("pages on staging for a placement failure ECS labels WARN while the service runs below its desired count", () => {
    const event = loadEvent("ecs-service-action-task-placement-failure");
    event.detail.eventType = "WARN";
    const message = withServiceImpact(messageOf(event), "staging", { running: 1, desired: 2 });
    expect(message.severity).toBe("critical");
    expect(message.facts).toContainEqual({ label: "Running tasks", value: "1 of 2 desired" });
    expect(message.summary).toMatch(/The service runs 1 of 2 desired tasks: below its desired count\.$/);
  });

  it("a placement failure while the service still runs its desired count does not say it runs below it", () => {
    // The "runs below its desired count … 2 of 2 desired": the event's words claimed what only ECS's count can tell.
    const message = withServiceImpact(messageOf(loadEvent("ecs-service-action-task-placement-failure")), "production", {
      running: 2,
      desired: 2,
    });
    expect(message.summary).toBe("The scheduler could not find capacity for new tasks. The service runs 2 of 2 desired tasks.");
    expect(message.summary).not.toContain("below");
  });

  it("pages when the impact cannot be read (except on a development stage), and says why", () => {
    const message = withServiceImpact(messageOf(loadEvent("ecs-service-action-task-placement-failure")), "production", {
      unreadable: "AccessDeniedException: not authorized",
    });
    expect(message.severity).toBe("critical");
    expect(message.facts.at(-1)?.value).toBe("unknown: ECS could not be asked (AccessDeniedException: not authorized)");
  });
});
