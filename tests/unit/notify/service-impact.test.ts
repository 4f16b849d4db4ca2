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
    [{ running: 1, desired: 1 }, "development", "info"],
    [{ running: 1, desired: 2 }, "development", "warning"],
    // No task serves users: critical wherever it happens.
    [{ running: 0, desired: 1 }, "development", "critical"],
    [{ running: 0, desired: 0 }, "development", "info"],
  ] as const)("%o on a %s stage is %s", (counts, kind, severity) => {
    expect(impactSeverity(counts, kind)).toBe(severity);
  });

  it("pages on staging for a placement failure ECS labels WARN while the service runs below its desired count", () => {
    const event = loadEvent("ecs-service-action-task-placement-failure");
    event.detail.eventType = "WARN";
    const message = withServiceImpact(messageOf(event), "staging", { running: 1, desired: 2 });
    expect(message.severity).toBe("critical");
    expect(message.facts).toContainEqual({ label: "Running tasks", value: "1 of 2 desired" });
    expect(message.summary).toBe(
      "The scheduler could not find capacity for new tasks. The service runs 1 of 2 desired tasks: below its desired count.",
    );
  });

  it("says the service is at its desired count when the counts read say so, never that it runs below it", () => {
    const message = withServiceImpact(messageOf(loadEvent("ecs-service-action-task-placement-failure")), "production", {
      running: 2,
      desired: 2,
    });
    expect(message.severity).toBe("warning");
    expect(message.summary).not.toMatch(/below/);
    expect(message.summary).toBe(
      "The scheduler could not find capacity for new tasks. The service runs 2 of 2 desired tasks: at its desired count.",
    );
  });

  it("at 0 running of N desired is critical and says no task serves users", () => {
    const message = withServiceImpact(messageOf(loadEvent("ecs-service-action-task-placement-failure")), "development", {
      running: 0,
      desired: 2,
    });
    expect(message.severity).toBe("critical");
    expect(message.summary).toBe(
      "The scheduler could not find capacity for new tasks. No task serves users: the service runs 0 of 2 desired tasks.",
    );
  });

  it("without the counts, claims nothing about them", () => {
    expect(messageOf(loadEvent("ecs-service-action-task-placement-failure")).summary).toBe(
      "The scheduler could not find capacity for new tasks.",
    );
  });

  it("pages when the impact cannot be read (except on a development stage), and says why", () => {
    const message = withServiceImpact(messageOf(loadEvent("ecs-service-action-task-placement-failure")), "production", {
      unreadable: "AccessDeniedException: not authorized",
    });
    expect(message.severity).toBe("critical");
    expect(message.facts.at(-1)?.value).toBe("unknown: ECS could not be asked (AccessDeniedException: not authorized)");
    expect(message.summary).toBe(
      "The scheduler could not find capacity for new tasks. How many tasks the service runs is unknown: ECS could not be asked.",
    );
  });
});
