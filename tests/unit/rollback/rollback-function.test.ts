import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { cloudWatchAlarmState } from "@hands-off-ops/core/aws/alarms";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { ecsAppSpec } from "@hands-off-ops/core/release/appspec";
import type { CodeDeployGroup } from "@hands-off-ops/core/release/release-group";
import { codeDeployRollbacks, taskDefinitionOf } from "@hands-off-ops/core/rollback/aws-codedeploy-rollbacks";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRollbackHandler } from "../../../functions/rollback";
import { stageSettings } from "../../../stacks/config";
import { workersVariable } from "../../../stacks/lambda-environment";
import { alarmName, releaseAlarmIds } from "../../../stacks/names";
import { releaseAlarmEvent } from "../../fixtures/events";
import { memoryOnce } from "../notify/fakes";
import { alarmIs, cloudWatch, FIXTURE_ALARM_RAISED } from "./cloudwatch-now";
import { memoryLedger } from "./memory-ledger";

const codeDeploy = mockClient(CodeDeployClient);
// Unless a test says otherwise, the alarm is still in the ALARM its event reports.
beforeEach(() => alarmIs("prod-hands-off-ops-Alb5xxRate", "ALARM", FIXTURE_ALARM_RAISED));
afterEach(() => {
  codeDeploy.reset();
  cloudWatch.reset();
});

const env = (mode: "enforce" | "dry-run" = "enforce", timeZone?: string, more: Record<string, string | undefined> = {}) =>
  readRollbackEnvironment({
    ...more,
    STAGE: "prod",
    APP_NAME: "hands-off-ops",
    AUTOMATION_MODE: mode,
    ROLLBACK_SETTINGS: JSON.stringify(stageSettings("prod", {}).rollback),
    BAKE_WINDOW_MINUTES: "60",
    STATE_TABLE: "prod-state",
    // The alarms CodeDeploy's deployment group watches itself (the Service stack's alarm configuration).
    RELEASE_ALARMS: releaseAlarmIds(stageSettings("prod", {}))
      .map((id) => alarmName({ stage: "prod", name: "hands-off-ops" }, id))
      .join(","),
    RELEASE_CONTROLLER: "codedeploy",
    APPLICATION: "prod-hands-off-ops-Service",
    DEPLOYMENT_GROUP: "prod-hands-off-ops-Service",
    CONTAINER_NAME: "app",
    AWS_REGION: "eu-central-1",
    CONTAINER_PORT: "8080",
    ...(timeZone ? { TIME_ZONE: timeZone } : {}),
  });
const td = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/prod-hands-off-ops-Service-app:${revision}`;
// The fixture's alarm fired at 2019-10-02T17:04:40Z.
const ALARM_TIME = new Date("2019-10-02T17:04:40Z");
const ago = (minutes: number) => new Date(ALARM_TIME.getTime() - minutes * 60_000);
const info = (id: string, revision: number, completeTime: Date, description = "Release") => ({
  deploymentId: id,
  status: "Succeeded" as const,
  description,
  completeTime,
  revision: {
    revisionType: "AppSpecContent" as const,
    appSpecContent: { content: ecsAppSpec({ taskDefinitionArn: td(revision), containerName: "app", containerPort: 8080, hooks: {} }) },
  },
});

function history(active: ReturnType<typeof info>[], succeeded: ReturnType<typeof info>[]) {
  codeDeploy
    .on(ListDeploymentsCommand, { includeOnlyStatuses: ["Created", "Queued", "InProgress", "Ready"] })
    .resolves({ deployments: active.map((d) => d.deploymentId) });
  codeDeploy
    .on(ListDeploymentsCommand, { includeOnlyStatuses: ["Succeeded"] })
    .resolves({ deployments: succeeded.map((d) => d.deploymentId) });
  for (const list of [active, succeeded]) {
    if (list.length)
      codeDeploy.on(BatchGetDeploymentsCommand, { deploymentIds: list.map((d) => d.deploymentId) }).resolves({ deploymentsInfo: list });
  }
}

/** A stage alarm's ALARM, as the fixture's release alarm is, still in ALARM when CloudWatch is asked. */
function alarmEvent(id: string, eventId: string) {
  const event = releaseAlarmEvent();
  event.id = eventId;
  event.detail.alarmName = `prod-hands-off-ops-${id}`;
  alarmIs(event.detail.alarmName, "ALARM", FIXTURE_ALARM_RAISED);
  return event;
}

function handlerFor(mode: "enforce" | "dry-run" = "enforce", timeZone?: string, more: Record<string, string | undefined> = {}) {
  const notices: AutomationNotice[] = [];
  const ledger = memoryLedger();
  const handle = createRollbackHandler(
    env(mode, timeZone, more),
    {
      alarms: cloudWatchAlarmState(),
      deployments: codeDeployRollbacks(env(mode).target as CodeDeployGroup),
      ledger,
      notify: async (n) => void notices.push(n),
    },
    memoryOnce(),
    () => ALARM_TIME,
  );
  return { handle, notices, ledger };
}

describe("the rollback function", () => {
  it("redeploys the previous revision when a release alarm fires inside the bake window, and says so", async () => {
    // BatchGetDeployments may answer in any order: the newest success is the bad one.
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const { handle, notices, ledger } = handlerFor();
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({
      decision: { action: "redeploy-previous", badDeploymentId: "d-BAD", to: td(41) },
      outcome: { kind: "rolled-back", rollbackDeploymentId: "d-ROLLBACK" },
    });
    const input = codeDeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      applicationName: "prod-hands-off-ops-Service",
      deploymentGroupName: "prod-hands-off-ops-Service",
      deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce",
      description: "Automatic rollback of d-BAD: prod-hands-off-ops-Alb5xxRate fired (c4c1c1c9-6542-e61b-6ef0-8c4d36933a92)",
    });
    expect(taskDefinitionOf(input?.revision?.appSpecContent?.content)).toBe(td(41));
    // Started, not finished: CodeDeploy's own messages say when the rollback has succeeded.
    expect(notices[0]).toMatchObject({
      severity: "critical",
      title: "Rolling back release d-BAD to prod-hands-off-ops-Service-app:41",
      actionsTaken: ["Started rollback deployment d-ROLLBACK back to task definition prod-hands-off-ops-Service-app:41 (in progress)."],
      thread: { deploymentId: "d-BAD", role: "reply" },
      // The rollback runs: the incident asks nobody to do it by hand any more, and no later step escalates.
      incident: { role: "step", handled: true, escalates: false },
    });
    expect(notices[0]?.links?.map((l) => l.url)).toEqual([
      "https://eu-central-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ROLLBACK?region=eu-central-1",
      "https://eu-central-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-BAD?region=eu-central-1",
    ]);
    expect(ledger.audits.map((a) => a.outcome)).toEqual(["rolled-back"]);
  });

  it("acts once when the same alarm event is delivered twice", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const { handle, notices } = handlerFor();
    await handle(releaseAlarmEvent());
    await handle(releaseAlarmEvent());
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(notices).toHaveLength(1);
  });

  it("stops a release in progress, with rollback", async () => {
    history([info("d-NOW", 43, ago(3))], [info("d-BAD", 42, ago(12))]);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const { handle } = handlerFor();
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({ outcome: { kind: "stopped", deploymentId: "d-NOW" } });
    expect(codeDeploy.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({ deploymentId: "d-NOW", autoRollbackEnabled: true });
  });

  it("in dry-run changes nothing, says the bad release still serves and gives the exact command to roll back by hand", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    const { handle, notices, ledger } = handlerFor("dry-run");
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({ outcome: { kind: "would-roll-back" } });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(notices[0]).toMatchObject({
      severity: "critical",
      dryRun: true,
      title: "Would roll back release d-BAD to prod-hands-off-ops-Service-app:41: nothing was changed",
      summary: expect.stringContaining("release d-BAD is still serving"),
    });
    expect(notices[0]?.actionsTaken ?? []).toEqual([]);
    const command = notices[0]?.nextStep?.split(": ").slice(1).join(": ") ?? "";
    expect(command).toMatch(
      /^aws deploy create-deployment --application-name prod-hands-off-ops-Service --deployment-group-name prod-hands-off-ops-Service --deployment-config-name CodeDeployDefault.ECSAllAtOnce --description "Rollback by hand of d-BAD" --revision '(.+)' --region eu-central-1$/,
    );
    // The revision in the command is the one the automation would have deployed.
    const revision = JSON.parse(/--revision '(.+)'/.exec(command)?.[1] ?? "{}");
    expect(taskDefinitionOf(revision.appSpecContent.content)).toBe(td(41));
    // A rehearsal takes its own claim: it never blocks the real one.
    expect([...ledger.claims]).toEqual(["dry-run#d-BAD"]);
  });

  it("in dry-run a flapping alarm's next ALARM finds the rollback already decided, as enforce would, in the same incident", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    const { handle, notices } = handlerFor("dry-run");
    await handle(releaseAlarmEvent());
    const flap = releaseAlarmEvent();
    flap.id = "flap-2";
    await expect(handle(flap)).resolves.toMatchObject({ decision: { action: "none", reason: "already-rolled-back" } });
    // Both call for a person; the notifier e-mails the incident's escalation once (timelines/flapping-alarm.json).
    expect(notices.map((n) => n.severity)).toEqual(["critical", "critical"]);
    expect(notices[1]?.summary).toBe("Did nothing, because release d-BAD would have been rolled back (dry-run) once.");
    expect(notices.map((n) => n.incident)).toEqual([
      expect.objectContaining({ key: "alarm:prod-hands-off-ops-Alb5xxRate", escalates: true }),
      expect.objectContaining({ key: "alarm:prod-hands-off-ops-Alb5xxRate", escalates: true }),
    ]);
  });

  it.each([
    // Minutes before the alarm of the rollbacks already started, oldest first.
    ["the cooldown", [10], "cooldown"],
    ["the daily cap", [600, 300, 60], "daily-cap"],
  ] as const)(
    "held back by %s, escalates naming the release, the version serving, the one before it and the command",
    async (_name, earlier, reason) => {
      history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
      const { handle, notices, ledger } = handlerFor();
      for (const [i, minutes] of earlier.entries()) await ledger.recordRollback(`d-OLD${i}`, `d-R${i}`, ago(minutes));
      await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({ decision: { action: "none", reason } });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
      const notice = notices[0];
      expect(notice).toMatchObject({
        severity: "critical",
        title: "No automatic rollback of release d-BAD for Alb5xxRate",
        incident: {
          escalates: true,
          did: expect.stringMatching(/^Held back from rolling back release d-BAD to prod-hands-off-ops-Service-app:41, because /),
        },
      });
      expect(notice?.summary).toMatch(
        /Release d-BAD \(prod-hands-off-ops-Service-app:42\) is the one serving, as CodeDeploy's history reads; the version before it is prod-hands-off-ops-Service-app:41\.$/,
      );
      expect(notice?.facts).toEqual(
        expect.arrayContaining([
          { label: "Release", value: "d-BAD" },
          { label: "Serving", value: "prod-hands-off-ops-Service-app:42" },
          { label: "Would go back to", value: "prod-hands-off-ops-Service-app:41" },
        ]),
      );
      const command = notice?.nextStep?.split(": ").slice(1).join(": ") ?? "";
      expect(command).toMatch(/^aws deploy create-deployment --application-name prod-hands-off-ops-Service .* --region eu-central-1$/);
      const revision = JSON.parse(/--revision '(.+)'/.exec(command)?.[1] ?? "{}");
      expect(taskDefinitionOf(revision.appSpecContent.content)).toBe(td(41));
    },
  );

  it("does nothing for an alarm that cannot blame a release, and says why", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    const event = releaseAlarmEvent();
    event.detail.alarmName = "prod-hands-off-ops-DatabaseCpu";
    const { handle, notices } = handlerFor();
    await expect(handle(event)).resolves.toMatchObject({ decision: { action: "none", reason: "not-a-release-alarm" } });
    expect(notices[0]).toMatchObject({ severity: "info", title: "No automatic rollback for DatabaseCpu" });
    expect(codeDeploy.calls()).toHaveLength(0);
  });

  it("blames no release for a worker's own alarm, even one in progress, and says ECS rolls the worker back itself", async () => {
    history([info("d-NOW", 43, ago(2))], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    const event = alarmEvent("WorkerWorkerCpu", "worker-cpu");
    const workers = [{ name: "worker", ecsService: "prod-hands-off-ops-Service-WorkerWorkerService-X" }];
    const { WORKERS } = workersVariable({ stage: "prod", name: "hands-off-ops" }, workers);
    const { handle, notices } = handlerFor("enforce", undefined, { WORKERS });
    await expect(handle(event)).resolves.toMatchObject({ decision: { action: "none", reason: "worker-alarm", worker: "worker" } });
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice).toMatchObject({
      severity: "info",
      worker: "worker",
      title: "worker: no automatic rollback for WorkerWorkerCpu, ECS rolls worker back itself",
      nextStep: null,
      incident: { role: "step", key: "alarm:prod-hands-off-ops-WorkerWorkerCpu", escalates: false },
    });
    // No release's thread: the public service's releases are not part of it.
    expect(notice?.thread).toBeUndefined();
    expect(notice?.summary).toMatch(/^WorkerWorkerCpu is an alarm of worker "worker", not of the public service/);
    expect(JSON.stringify(notice)).not.toMatch(/d-NOW|d-BAD|roll back by hand|aws deploy/);
    // Neither CodeDeploy's history nor anything else of the public service's releases is read.
    expect(codeDeploy.calls()).toHaveLength(0);
  });

  it("escalates a failed remediation as critical, gives the claim back and fails for a retry", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const { handle, notices, ledger } = handlerFor();
    await expect(handle(releaseAlarmEvent())).rejects.toThrow("Remediation failed: ThrottlingException: Rate exceeded");
    expect(notices[0]).toMatchObject({ severity: "critical", title: "Automatic remediation FAILED for Alb5xxRate" });
    expect(ledger.claims.size).toBe(0);
    expect(ledger.audits.map((a) => a.outcome)).toEqual(["failed"]);
  });

  it("turns away what is not an alarm event", async () => {
    const { handle } = handlerFor();
    await expect(handle({ hello: "world" })).resolves.toMatchObject({ rejected: expect.any(String) });
    expect(codeDeploy.calls()).toHaveLength(0);
  });
});

describe("acting on the present (EventBridge delivers at least once and in no guaranteed order)", () => {
  it("asks CloudWatch for the alarm itself, metric or composite, before anything else", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    await handlerFor().handle(releaseAlarmEvent());
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input)).toEqual([
      { AlarmNames: ["prod-hands-off-ops-Alb5xxRate"], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] },
    ]);
  });

  it("changes nothing for an ALARM delivered after its OK, says so, and asks CodeDeploy nothing", async () => {
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    alarmIs("prod-hands-off-ops-Alb5xxRate", "OK", "2019-10-02T17:10:00Z");
    const { handle, notices, ledger } = handlerFor();
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({
      decision: { action: "none", reason: "stale-alarm" },
      outcome: { kind: "nothing" },
    });
    expect(codeDeploy.calls()).toHaveLength(0);
    const told =
      "Alb5xxRate is OK since 2019-10-02 17:10:00 UTC, after this ALARM was raised at 2019-10-02 17:04:40 UTC; nothing was changed.";
    expect(notices).toEqual([
      expect.objectContaining({
        severity: "info",
        title: "Alb5xxRate: a stale ALARM, nothing was changed",
        summary: expect.stringContaining(told),
        nextStep: null,
        incident: expect.objectContaining({ key: "alarm:prod-hands-off-ops-Alb5xxRate", did: told, escalates: false }),
      }),
    ]);
    expect(notices[0]?.thread ?? null).toBeNull();
    expect(ledger.claims.size).toBe(0);
    expect(ledger.audits.map((a) => a.outcome)).toEqual(["nothing"]);
  });

  it("acts when only the evaluation state moved since: the same ALARM, StateTransitionedTimestamp unchanged", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    alarmIs("prod-hands-off-ops-Alb5xxRate", "ALARM", "2019-10-02T17:20:00Z", FIXTURE_ALARM_RAISED);
    await expect(handlerFor().handle(releaseAlarmEvent())).resolves.toMatchObject({ outcome: { kind: "rolled-back" } });
  });

  it("leaves an earlier episode to the later ALARM's own event", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    alarmIs("prod-hands-off-ops-Alb5xxRate", "ALARM", "2019-10-02T17:20:00Z");
    await expect(handlerFor().handle(releaseAlarmEvent())).resolves.toMatchObject({ decision: { reason: "stale-alarm" } });
    expect(codeDeploy.calls()).toHaveLength(0);
  });

  it("stops a release once, whichever of its alarms asks first; the other only joins its own incident", async () => {
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    alarmIs("prod-hands-off-ops-TargetP99Latency", "ALARM", FIXTURE_ALARM_RAISED);
    const latency = releaseAlarmEvent();
    latency.id = "latency-1";
    latency.detail.alarmName = "prod-hands-off-ops-TargetP99Latency";
    const { handle, notices, ledger } = handlerFor();
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({ outcome: { kind: "stopped", deploymentId: "d-NOW" } });
    await expect(handle(latency)).resolves.toMatchObject({
      decision: { action: "stop-deployment", deploymentId: "d-NOW" },
      outcome: { kind: "claimed-elsewhere", badDeploymentId: "d-NOW" },
    });
    expect(codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(1);
    expect(notices[1]).toMatchObject({
      severity: "info",
      title: "Release d-NOW is already being stopped",
      incident: {
        key: "alarm:prod-hands-off-ops-TargetP99Latency",
        did: "Another request had already asked CodeDeploy to stop release d-NOW; this one did nothing.",
        escalates: false,
      },
    });
    // The release's thread heard of the stop once.
    expect(notices.map((n) => n.thread?.deploymentId ?? null)).toEqual(["d-NOW", null]);
    expect([...ledger.claims]).toEqual(["stop#d-NOW"]);
  });

  it("in dry-run rehearses that claim: the second alarm neither escalates nor offers Do it again", async () => {
    // Alarms the deployment group does not watch: only a person (or the automation, in enforce) would stop the release.
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    const [cpu, memory] = [alarmEvent("ServiceCpu", "cpu-1"), alarmEvent("ServiceMemory", "memory-1")];
    const { handle, notices, ledger } = handlerFor("dry-run");
    await handle(cpu);
    await handle(memory);
    expect(notices.map((n) => [n.severity, n.incident?.escalates, n.incident?.offers ?? null])).toEqual([
      ["critical", true, "do-it"],
      ["info", false, null],
    ]);
    expect(notices[0]?.nextStep).toBe(
      "If the alarm is right, stop the release by hand now (CodeDeploy sends traffic back to the previous version): aws deploy stop-deployment --deployment-id d-NOW --auto-rollback-enabled --region eu-central-1",
    );
    expect(notices[1]?.title).toBe("Would stop release d-NOW: already decided, nothing was changed");
    expect([...ledger.claims]).toEqual(["dry-run#stop#d-NOW"]);
  });

  it("in dry-run, for an alarm CodeDeploy's deployment group watches, says CodeDeploy stops the release itself: no escalation, no stop command", async () => {
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    const { handle, notices } = handlerFor("dry-run");
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({
      decision: { action: "stop-deployment", deploymentId: "d-NOW", controllerStops: true, dryRun: true },
      outcome: { kind: "would-stop" },
    });
    expect(codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(JSON.stringify(notices[0])).not.toMatch(/stop-deployment|users are moving to it|did not stop the release|by hand/);
    expect(notices[0]).toMatchObject({
      severity: "critical",
      dryRun: true,
      title: "CodeDeploy stops release d-NOW itself on Alb5xxRate; dry-run changed nothing",
      summary:
        "Alb5xxRate fired while release d-NOW was in progress. CodeDeploy's deployment group watches this alarm and stops the release itself, sending traffic back to the previous version; dry-run would also have stopped it.",
      nextStep: "Follow CodeDeploy's rollback in the release's thread; find the cause in release d-NOW before shipping it again.",
      thread: { deploymentId: "d-NOW", role: "reply" },
      incident: {
        key: "alarm:prod-hands-off-ops-Alb5xxRate",
        did: "Dry-run: would have stopped release d-NOW; CodeDeploy's deployment group watches Alb5xxRate and stops it itself.",
        escalates: false,
      },
    });
    expect(notices[0]?.incident?.offers).toBeUndefined();
  });

  it("gives the stop's claim back when CodeDeploy refuses it, so that the retry stops the release", async () => {
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    codeDeploy.on(StopDeploymentCommand).rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const { handle, ledger } = handlerFor();
    await expect(handle(releaseAlarmEvent())).rejects.toThrow("Remediation failed");
    expect(ledger.claims.size).toBe(0);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    await expect(handle(releaseAlarmEvent())).resolves.toMatchObject({ outcome: { kind: "stopped" } });
  });
});

describe("Do it, from Slack (the rollback function asked directly)", () => {
  const doIt = {
    kind: "do-it",
    alarmName: "prod-hands-off-ops-Alb5xxRate",
    ticketId: "AAAAAAAAAAAAAAAAAAAAAA",
    requestedBy: "alice (U0ALICE001)",
  };

  it("carries out in a dry-run stage what it rehearsed, for real, once per press, naming who asked", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const { handle, notices } = handlerFor("dry-run");
    await expect(handle(doIt)).resolves.toMatchObject({
      decision: { action: "redeploy-previous", badDeploymentId: "d-BAD", dryRun: false },
      outcome: { kind: "rolled-back", rollbackDeploymentId: "d-ROLLBACK" },
    });
    await handle(doIt);
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.facts).toContainEqual({ label: "Alarm reason", value: 'alice (U0ALICE001) pressed "Do it" in Slack' });
    expect(notices[0]?.incident).toMatchObject({ key: "alarm:prod-hands-off-ops-Alb5xxRate", escalates: false });
  });

  it("stops a release still in progress instead, when that is what the facts say now", async () => {
    history([{ ...info("d-NEW", 43, ago(2)), status: "InProgress" as never }], [info("d-BAD", 42, ago(600))]);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const { handle } = handlerFor("dry-run");
    await expect(handle({ ...doIt, ticketId: "BBBBBBBBBBBBBBBBBBBBBB" })).resolves.toMatchObject({
      decision: { action: "stop-deployment", deploymentId: "d-NEW", dryRun: false },
    });
    expect(codeDeploy.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toMatchObject({
      deploymentId: "d-NEW",
      autoRollbackEnabled: true,
    });
  });

  it("tells the times in the stage's zone (TIME_ZONE) with UTC beside, and UTC alone without one", async () => {
    history([{ ...info("d-NOW", 43, ago(3)), status: "InProgress" as never }], [info("d-GOOD", 42, ago(600))]);
    alarmIs("prod-hands-off-ops-Alb5xxRate", "OK", "2019-10-02T17:10:00Z");
    const berlin = handlerFor("enforce", "Europe/Berlin");
    await berlin.handle(releaseAlarmEvent());
    expect(berlin.notices[0]?.summary).toMatch(
      /^Alb5xxRate is OK since 2019-10-02 19:10:00 CEST \(17:10:00 UTC\), after this ALARM was raised at 2019-10-02 19:04:40 CEST \(17:04:40 UTC\); nothing was changed\./,
    );
    const utc = handlerFor("enforce", "UTC");
    await utc.handle(releaseAlarmEvent());
    expect(utc.notices[0]?.summary).toMatch(
      /^Alb5xxRate is OK since 2019-10-02 17:10:00 UTC, after this ALARM was raised at 2019-10-02 17:04:40 UTC; nothing/,
    );
  });

  it("does what the automation would do now: nothing, once the alarm has ended", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    alarmIs("prod-hands-off-ops-Alb5xxRate", "OK", "2019-10-02T17:00:00Z");
    const { handle, notices } = handlerFor("dry-run");
    await expect(handle({ ...doIt, ticketId: "FFFFFFFFFFFFFFFFFFFFFF" })).resolves.toMatchObject({ decision: { reason: "stale-alarm" } });
    expect(codeDeploy.calls()).toHaveLength(0);
    expect(notices[0]?.summary).toMatch(/^Alb5xxRate is OK since 2019-10-02 17:00:00 UTC; nothing was changed\./);
  });

  it("keeps the guardrails: a rollback already started for that release is not started again", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-BAD", 42, ago(12))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const { handle } = handlerFor("dry-run");
    await handle(doIt);
    await expect(handle({ ...doIt, ticketId: "CCCCCCCCCCCCCCCCCCCCCC" })).resolves.toMatchObject({
      decision: { action: "none", reason: "already-rolled-back" },
    });
  });
});

describe("Roll back, pressed on a release's thread (the rollback function asked directly)", () => {
  const rollBack = { kind: "roll-back", deploymentId: "d-NEW", ticketId: "DDDDDDDDDDDDDDDDDDDDDD", requestedBy: "alice (U0ALICE001)" };

  it("stops the release while it runs, once per press, and tells its thread who asked (no alarm's incident)", async () => {
    history([{ ...info("d-NEW", 43, ago(2)), status: "InProgress" as never }], [info("d-BAD", 42, ago(600))]);
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const { handle, notices, ledger } = handlerFor();
    await expect(handle(rollBack)).resolves.toMatchObject({ decision: { action: "stop-deployment", deploymentId: "d-NEW" } });
    await handle(rollBack);
    expect(codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      title: "Stopped release d-NEW: alice (U0ALICE001) asked",
      facts: [
        { label: "Asked by", value: "alice (U0ALICE001), in Slack" },
        { label: "Release", value: "d-NEW" },
      ],
      thread: { deploymentId: "d-NEW", role: "reply" },
    });
    expect(notices[0]?.incident ?? null).toBeNull();
    expect(ledger.audits).toEqual([expect.objectContaining({ alarmName: "Roll back (Slack)", outcome: "stopped" })]);
  });

  it("redeploys the version before it once it has finished, described as ours so the next decision sees it in flight", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-NEW", 42, ago(300))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const { handle } = handlerFor();
    await expect(handle(rollBack)).resolves.toMatchObject({ outcome: { kind: "rolled-back", rollbackDeploymentId: "d-ROLLBACK" } });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input.description).toBe(
      "Automatic rollback of d-NEW: alice (U0ALICE001) asked in Slack (roll-back-DDDDDDDDDDDDDDDDDDDDDD)",
    );
  });

  it("acts for real on a dry-run stage too (a person decided, as with Do it), and leaves a release that is no longer the current one", async () => {
    history([], [info("d-GOOD", 41, ago(600)), info("d-NEW", 42, ago(300))]);
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-ROLLBACK" });
    const dryRunStage = handlerFor("dry-run");
    await expect(dryRunStage.handle(rollBack)).resolves.toMatchObject({ decision: { dryRun: false }, outcome: { kind: "rolled-back" } });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);

    history([], [info("d-NEW", 42, ago(600)), info("d-NEWER", 43, ago(30))]);
    const { handle, notices } = handlerFor();
    await expect(handle({ ...rollBack, ticketId: "EEEEEEEEEEEEEEEEEEEEEE" })).resolves.toMatchObject({
      decision: { action: "none", reason: "superseded" },
    });
    expect(notices[0]).toMatchObject({ title: "No rollback, though alice (U0ALICE001) asked", thread: { deploymentId: "d-NEW" } });
  });
});
