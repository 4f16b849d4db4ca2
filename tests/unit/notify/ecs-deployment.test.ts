import { ECSClient, ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import { ecsServiceDeployments } from "@hands-off-ops/core/aws/service-deployments";
import { joinIncident } from "@hands-off-ops/core/notify/deployment-incident";
import { alarmIncidentKey, type OpsMessage } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { ecsDeploymentPhase, withServiceDeployment } from "@hands-off-ops/core/notify/sources/ecs-deployment";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { type EventFixture, loadEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const RELEASE = "EZe5RNVLH6PPzHXINuP28";
const read = (name: EventFixture) => {
  const event = loadEvent(name);
  const normalized = normalize(event, PROD_CONTEXT);
  if (normalized.kind !== "message") throw new Error("ignored");
  return { event, message: normalized.message };
};
const inThread = (name: EventFixture, status: string) => {
  const { event, message } = read(name);
  const phase = ecsDeploymentPhase(event);
  if (!phase) throw new Error("not an ECS deployment event");
  return withServiceDeployment(message, phase, { releaseId: RELEASE, status }, "eu-central-1", PROD_CONTEXT);
};

describe("ECS's service deployment events (release.controller ecs)", () => {
  it("are read as deployments, but join no thread until ECS's record names the service deployment", () => {
    const { message } = read("ecs-deployment-in-progress");
    expect(message).toMatchObject({
      source: { kind: "deployment", detailType: "ECS Deployment State Change" },
      thread: null,
      rejection: null,
    });
    expect(message.facts).toContainEqual({ label: "ECS deployment", value: "ecs-svc/123" });
  });

  it.each([
    ["ecs-deployment-in-progress", "IN_PROGRESS", "Release EZe5RNVLH6PPzHXINuP28 started", { role: "start", state: "START" }, "info"],
    [
      "ecs-deployment-rollback-in-progress",
      "ROLLBACK_IN_PROGRESS",
      "Release EZe5RNVLH6PPzHXINuP28 is being rolled back",
      // No longer moving forward: to an incident it is part of, ECS has stopped it.
      { role: "reply", state: "STOP" },
      "critical",
    ],
    ["ecs-deployment-completed", "SUCCESSFUL", "Release EZe5RNVLH6PPzHXINuP28 completed", { role: "outcome", state: "SUCCESS" }, "info"],
    [
      "ecs-deployment-completed",
      "ROLLBACK_SUCCESSFUL",
      "Release EZe5RNVLH6PPzHXINuP28 was rolled back",
      { role: "outcome", state: "FAILURE", rolledBack: true },
      "critical",
    ],
    [
      "ecs-deployment-failed",
      "ROLLBACK_IN_PROGRESS",
      "Release EZe5RNVLH6PPzHXINuP28 failed",
      { role: "outcome", state: "FAILURE" },
      "critical",
    ],
  ] as const)("%s with ECS's record at %s: %s", (name, status, title, thread, severity) => {
    const message = inThread(name, status);
    expect(message.title).toBe(title);
    expect(message.severity).toBe(severity);
    expect(message.thread).toEqual({ deploymentId: RELEASE, ...thread });
    expect(message.facts.slice(0, 2)).toEqual([
      { label: "Release", value: RELEASE },
      { label: "Status", value: status },
    ]);
  });

  it("offers Roll back now on a release's start only", () => {
    expect(inThread("ecs-deployment-in-progress", "IN_PROGRESS").offers).toEqual([
      { action: "roll-back", subject: `release:${RELEASE}`, label: "Roll back now" },
    ]);
    expect(inThread("ecs-deployment-completed", "SUCCESSFUL").offers).toBeUndefined();
    expect(inThread("ecs-deployment-rollback-in-progress", "ROLLBACK_IN_PROGRESS").offers).toBeUndefined();
  });

  it("says so, and claims no release, when ECS's record cannot be read", () => {
    const { event, message } = read("ecs-deployment-failed");
    const phase = ecsDeploymentPhase(event);
    if (!phase) throw new Error("not an ECS deployment event");
    const told = withServiceDeployment(message, phase, { unreadable: "AccessDeniedException: no" }, "eu-central-1", PROD_CONTEXT);
    expect(told.thread).toBeNull();
    expect(told.facts.at(-1)).toEqual({ label: "Release", value: "ECS's record could not be read (AccessDeniedException: no)" });
  });

  it("as a step of the incident that blamed the release, names ECS as the one that acted", () => {
    const failed: OpsMessage = inThread("ecs-deployment-failed", "ROLLBACK_IN_PROGRESS");
    const joined = joinIncident(failed, { key: alarmIncidentKey("prod-hands-off-ops-Alb5xxRate"), part: "bad-release" });
    expect(joined.incident).toMatchObject({ role: "step", did: `ECS marked release ${RELEASE} failed.` });
  });

  it("as a step, ECS's rollback in progress says ECS is rolling the release back, not that it stopped it", () => {
    // Timelines ecs-stage-alarm-during-release: "ECS stopped release …" when ECS was sending traffic back.
    const rolling = inThread("ecs-deployment-rollback-in-progress", "ROLLBACK_IN_PROGRESS");
    const joined = joinIncident(rolling, { key: alarmIncidentKey("prod-hands-off-ops-Alb5xxRate"), part: "bad-release" });
    expect(joined.incident).toMatchObject({
      role: "step",
      did: `ECS is rolling release ${RELEASE} back to the previous revision.`,
      handled: true,
    });
  });

  it("as a step, a rollback ECS completed ends the incident's cause and says the previous version serves", () => {
    const rolledBack = inThread("ecs-deployment-completed", "ROLLBACK_SUCCESSFUL");
    const joined = joinIncident(rolledBack, { key: alarmIncidentKey("prod-hands-off-ops-Alb5xxRate"), part: "bad-release" });
    expect(joined.incident).toMatchObject({
      role: "step",
      did: `ECS rolled release ${RELEASE} back: the previous version serves users.`,
      handled: true,
      ends: true,
    });
  });
});

describe("which service deployment an ECS event is about", () => {
  const deployment = (id: string, createdAt: string, status: string) => ({
    serviceDeploymentArn: `arn:aws:ecs:eu-central-1:123456789012:service-deployment/prod-cluster/prod-service/${id}`,
    createdAt: new Date(createdAt),
    status: status as "SUCCESSFUL",
  });

  it("is the newest one ECS created by the event's time (a minute of clock skew allowed)", async () => {
    ecs.on(ListServiceDeploymentsCommand, { cluster: "prod-cluster", service: "prod-service" }).resolves({
      serviceDeployments: [
        deployment("OLDRELEASE0000000000A", "2026-11-30T09:00:00Z", "SUCCESSFUL"),
        deployment("THISRELEASE000000000A", "2026-11-30T10:00:30Z", "IN_PROGRESS"),
        deployment("NEXTRELEASE000000000A", "2026-11-30T10:05:00Z", "PENDING"),
      ],
    });
    await expect(ecsServiceDeployments().latestAt("prod-cluster", "prod-service", new Date("2026-11-30T10:00:00Z"))).resolves.toEqual({
      releaseId: "THISRELEASE000000000A",
      status: "IN_PROGRESS",
    });
  });

  it("fails when ECS lists none by then: the message then says the record could not be read", async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    await expect(ecsServiceDeployments().latestAt("prod-cluster", "prod-service", new Date("2026-11-30T10:00:00Z"))).rejects.toThrow(
      "ECS lists no deployment of prod-service created by 2026-11-30T10:00:00.000Z",
    );
  });
});
