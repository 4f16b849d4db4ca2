import type { AlarmFacts } from "@hands-off-ops/core/rollback/alarm";
import {
  type AlarmRollbackFacts,
  cannotBlameARelease,
  decideRollBackByHand,
  decideRollback,
  HELD_BACK,
  revisionOf,
} from "@hands-off-ops/core/rollback/decide";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

const settings = stageSettings("prod", { automationMode: "enforce" });
// CodeDeploy's deployment group watches the 5xx alarm itself, not the service's CPU.
const POLICY = {
  ...settings.rollback,
  mode: settings.automationMode,
  bakeWindowMinutes: settings.release.bakeWindowMinutes,
  timeZone: settings.schedule.timeZone,
  releaseAlarms: ["prod-hands-off-ops-Alb5xxRate"],
  workers: [],
};
const T0 = new Date("2026-11-20T03:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const td = (revision: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-Service-app:${revision}`;

const alarm = (overrides: Partial<AlarmFacts> = {}): AlarmFacts => ({
  eventId: "e-1",
  alarmName: "prod-hands-off-ops-Alb5xxRate",
  alarmId: "Alb5xxRate",
  state: "ALARM",
  reason: "Threshold Crossed",
  at: minutes(20),
  ...overrides,
});
const deployment = (id: string, revision: number, at: Date, automaticRollback = false) => ({
  deploymentId: id,
  taskDefinitionArn: td(revision),
  at,
  automaticRollback,
});
// The alarm as CloudWatch reads it: in ALARM since before every alarm these tests raise (present.test.ts varies it).
const facts = (overrides: Partial<AlarmRollbackFacts> = {}): AlarmRollbackFacts => ({
  inProgress: null,
  lastSuccess: deployment("d-BAD", 42, minutes(5)),
  previousSuccess: deployment("d-GOOD", 41, minutes(-600)),
  recentRollbacks: [],
  alarmNow: { state: "ALARM", since: T0 },
  ...overrides,
});

describe("a worker's own alarm (stage services: a public service and workers)", () => {
  const CPU = "prod-hands-off-ops-WorkerQueueCpu";
  const WORKERS = {
    ...POLICY,
    workers: [{ name: "queue", ecsService: "prod-hands-off-ops-Service-WorkerQueueService-X", alarms: [CPU] }],
  };
  const cpu = alarm({ alarmName: CPU, alarmId: "WorkerQueueCpu" });
  const running = facts({ inProgress: deployment("d-NOW", 43, minutes(15)) });

  it("never blames the public service's release, in progress or in its bake window, and says ECS rolls the worker back", () => {
    const expected = {
      action: "none",
      reason: "worker-alarm",
      worker: "queue",
      why: `WorkerQueueCpu is an alarm of worker "queue", not of the public service: no release of the public service is to blame. ECS's deployment alarms of "queue" include it, so ECS itself rolls back a deployment of "queue" that is running when it fires`,
    };
    for (const [what, state] of [
      ["a release in progress", running],
      ["a release in its bake window", facts()],
      ["no release", facts({ lastSuccess: null, previousSuccess: null })],
    ] as const)
      expect(decideRollback(cpu, state, WORKERS, minutes(20)), what).toEqual(expected);
    expect(cannotBlameARelease(cpu, WORKERS)).toEqual(expected);
  });

  it("holds even when the team lists the worker's alarm among those that can blame a release, in dry-run too", () => {
    const listed = { ...WORKERS, alarms: [...WORKERS.alarms, "WorkerQueueCpu"], mode: "dry-run" as const };
    expect(decideRollback(cpu, running, listed, minutes(20))).toMatchObject({ action: "none", reason: "worker-alarm" });
  });

  it("is not a held-back rollback: nobody is asked to roll back by hand", () => {
    expect(HELD_BACK.has("worker-alarm")).toBe(false);
  });

  it("leaves the public service's alarms and a worker's OK as they were", () => {
    expect(decideRollback(alarm(), running, WORKERS, minutes(20))).toMatchObject({ action: "stop-deployment", deploymentId: "d-NOW" });
    expect(cannotBlameARelease({ ...cpu, state: "OK" }, WORKERS)).toMatchObject({ reason: "not-an-alarm" });
    // Without the worker in the environment, its alarm is one the settings do not list.
    expect(cannotBlameARelease(cpu, POLICY)).toMatchObject({ reason: "not-a-release-alarm" });
  });

  it("whatever the facts and the mode, a worker's alarm is the worker's", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: -120, max: 120 }),
        fc.constantFrom("enforce" as const, "dry-run" as const),
        (inProgress, listed, sinceRelease, mode) => {
          const policy = { ...WORKERS, mode, alarms: listed ? [...WORKERS.alarms, "WorkerQueueCpu"] : WORKERS.alarms };
          const state = facts({
            inProgress: inProgress ? deployment("d-NOW", 43, minutes(15)) : null,
            lastSuccess: deployment("d-BAD", 42, minutes(20 - sinceRelease)),
          });
          expect(decideRollback(cpu, state, policy, minutes(20))).toMatchObject({
            action: "none",
            reason: "worker-alarm",
            worker: "queue",
          });
        },
      ),
    );
  });
});

describe("the rollback decision", () => {
  it("stops a release in progress, with rollback", () => {
    expect(decideRollback(alarm(), facts({ inProgress: deployment("d-NOW", 43, minutes(15)) }), POLICY, minutes(20))).toEqual({
      action: "stop-deployment",
      deploymentId: "d-NOW",
      why: "Alb5xxRate fired while release d-NOW was in progress",
      dryRun: false,
      controllerStops: true,
    });
  });

  it("says whether the release's controller watches the alarm and stops the release itself", () => {
    const cpu = alarm({ alarmName: "prod-hands-off-ops-ServiceCpu", alarmId: "ServiceCpu" });
    const running = facts({ inProgress: deployment("d-NOW", 43, minutes(15)) });
    expect(decideRollback(cpu, running, POLICY, minutes(20))).toMatchObject({ action: "stop-deployment", controllerStops: false });
  });

  it("redeploys the previous revision when the alarm fires inside the bake window of the last release", () => {
    expect(decideRollback(alarm(), facts(), POLICY, minutes(20))).toEqual({
      action: "redeploy-previous",
      badDeploymentId: "d-BAD",
      from: td(42),
      to: td(41),
      why: "Alb5xxRate fired 15 min after release d-BAD finished, inside the 60-minute bake window",
      dryRun: false,
    });
  });

  it("decides the same in dry-run, marked so that nothing is changed", () => {
    const dryRun = decideRollback(alarm(), facts(), { ...POLICY, mode: "dry-run" }, minutes(20));
    expect(dryRun).toMatchObject({ action: "redeploy-previous", dryRun: true });
  });

  it.each([
    ["an OK transition", alarm({ state: "OK" }), facts(), "not-an-alarm"],
    ["an alarm that cannot blame a release (database CPU)", alarm({ alarmId: "DatabaseCpu" }), facts(), "not-a-release-alarm"],
    ["our own rollback still running", alarm(), facts({ inProgress: deployment("d-RB", 41, minutes(10), true) }), "rollback-in-flight"],
    [
      "a last release that was our rollback",
      alarm(),
      facts({ lastSuccess: deployment("d-RB", 41, minutes(10), true) }),
      "rollback-in-flight",
    ],
    ["no release yet", alarm(), facts({ lastSuccess: null, previousSuccess: null }), "no-recent-release"],
    ["a release older than the bake window", alarm({ at: minutes(70) }), facts(), "outside-bake-window"],
    [
      "a release already rolled back",
      alarm(),
      facts({ recentRollbacks: [{ badDeploymentId: "d-BAD", at: minutes(10) }] }),
      "already-rolled-back",
    ],
    ["the first release ever", alarm(), facts({ previousSuccess: null }), "no-previous-version"],
    [
      "a 'previous' revision newer than the bad one",
      alarm(),
      facts({ previousSuccess: deployment("d-NEWER", 43, minutes(-10)) }),
      "would-roll-forward",
    ],
    [
      "a rollback 10 min ago (cooldown 30)",
      alarm(),
      facts({ recentRollbacks: [{ badDeploymentId: "d-OLD", at: minutes(10) }] }),
      "cooldown",
    ],
    [
      "three rollbacks today (cap 3)",
      alarm(),
      facts({ recentRollbacks: [-60, -300, -600].map((m, i) => ({ badDeploymentId: `d-OLD${i}`, at: minutes(m) })) }),
      "daily-cap",
    ],
  ] as const)("does nothing for %s, and says why", (_name, theAlarm, theFacts, reason) => {
    const decision = decideRollback(theAlarm, theFacts, POLICY, minutes(20));
    expect(decision).toMatchObject({ action: "none", reason });
    expect((decision as { why: string }).why.length).toBeGreaterThan(10);
  });

  describe("dry-run as a rehearsal of enforce", () => {
    const DRY = { ...POLICY, mode: "dry-run" as const };
    const rehearsed = (badDeploymentId: string, at: Date) => ({ badDeploymentId, at, dryRun: true });

    it.each([
      ["the same bad release", [rehearsed("d-BAD", minutes(10))], "already-rolled-back"],
      ["a rollback decided 10 min ago (cooldown)", [rehearsed("d-OLD", minutes(10))], "cooldown"],
      ["three decided today (cap)", [-60, -300, -600].map((m, i) => rehearsed(`d-OLD${i}`, minutes(m))), "daily-cap"],
    ] as const)("counts its own 'would have' rollbacks in dry-run: %s", (_name, recentRollbacks, reason) => {
      expect(decideRollback(alarm(), facts({ recentRollbacks: [...recentRollbacks] }), DRY, minutes(20))).toMatchObject({
        action: "none",
        reason,
      });
    });

    it("never lets a rehearsal hold back enforce: switched on, it rolls back the release dry-run only talked about", () => {
      const recentRollbacks = [rehearsed("d-BAD", minutes(10))];
      expect(decideRollback(alarm(), facts({ recentRollbacks }), POLICY, minutes(20))).toMatchObject({
        action: "redeploy-previous",
        badDeploymentId: "d-BAD",
        dryRun: false,
      });
    });

    it("says a rehearsed rollback is one, not that it happened", () => {
      const decision = decideRollback(alarm(), facts({ recentRollbacks: [rehearsed("d-BAD", minutes(10))] }), DRY, minutes(20));
      expect(decision).toMatchObject({ why: "release d-BAD would have been rolled back (dry-run) once" });
    });
  });

  it.each([
    ["the cooldown", [{ badDeploymentId: "d-OLD", at: minutes(10) }], "cooldown"],
    ["the daily cap", [-60, -300, -600].map((m, i) => ({ badDeploymentId: `d-OLD${i}`, at: minutes(m) })), "daily-cap"],
  ] as const)("held back by %s, names the release and the version it would have gone back to", (_name, recentRollbacks, reason) => {
    expect(decideRollback(alarm(), facts({ recentRollbacks: [...recentRollbacks] }), POLICY, minutes(20))).toMatchObject({
      action: "none",
      reason,
      heldBack: { badDeploymentId: "d-BAD", from: td(42), to: td(41) },
    });
  });

  it("counts only the last 24 hours against the daily cap", () => {
    const old = [-1500, -1600, -1700].map((m, i) => ({ badDeploymentId: `d-OLD${i}`, at: minutes(m) }));
    expect(decideRollback(alarm(), facts({ recentRollbacks: old }), POLICY, minutes(20)).action).toBe("redeploy-previous");
  });

  it("reads revision numbers, and refuses what is not a revision ARN", () => {
    expect(revisionOf(td(7))).toBe(7);
    expect(() => revisionOf("arn:aws:ecs:eu-central-1:1:task-definition/app")).toThrow("Not a task definition revision ARN");
  });
});

describe("property: any order and repetition of alarms rolls a release back at most once", () => {
  it("holds with the ledger's one-claim-per-release rule", () => {
    const events = fc.array(
      fc.record({
        alarmId: fc.constantFrom("Alb5xxRate", "TargetP99Latency", "DatabaseCpu"),
        minute: fc.integer({ min: 5, max: 90 }),
        state: fc.constantFrom("ALARM", "OK"),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(events, (sequence) => {
        const ledger: { badDeploymentId: string; at: Date }[] = [];
        const claimed = new Set<string>();
        for (const [i, e] of sequence.entries()) {
          const decision = decideRollback(
            alarm({ eventId: `e-${i}`, alarmId: e.alarmId, state: e.state, at: minutes(e.minute) }),
            facts({ recentRollbacks: [...ledger].reverse() }),
            POLICY,
            minutes(e.minute),
          );
          if (decision.action === "redeploy-previous") {
            // The ledger's conditional write: one claim per bad release.
            if (claimed.has(decision.badDeploymentId)) continue;
            claimed.add(decision.badDeploymentId);
            ledger.push({ badDeploymentId: decision.badDeploymentId, at: minutes(e.minute) });
          }
        }
        expect(ledger.filter((r) => r.badDeploymentId === "d-BAD").length).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("a person's Roll back, from a release's thread", () => {
  const byHand = (id: string, f: AlarmRollbackFacts, at = minutes(20), policy = POLICY) => decideRollBackByHand(id, "alice", f, policy, at);

  it("stops the named release while it runs", () => {
    expect(byHand("d-NOW", facts({ inProgress: deployment("d-NOW", 43, minutes(15)) }))).toEqual({
      action: "stop-deployment",
      deploymentId: "d-NOW",
      why: "alice asked to roll back release d-NOW while it was in progress",
      dryRun: false,
      controllerStops: false,
    });
  });

  it("redeploys the version before a finished release, however long ago it finished (a person's word blames it)", () => {
    expect(byHand("d-BAD", facts(), minutes(60 * 24))).toEqual({
      action: "redeploy-previous",
      badDeploymentId: "d-BAD",
      from: td(42),
      to: td(41),
      why: "alice asked to roll back release d-BAD",
      dryRun: false,
    });
  });

  it("leaves a release another one has replaced since, or one that never succeeded", () => {
    expect(byHand("d-OLD", facts({ inProgress: deployment("d-NOW", 43, minutes(15)) }))).toMatchObject({
      action: "none",
      reason: "superseded",
      why: "release d-OLD is no longer the current one: d-NOW is in progress",
    });
    expect(byHand("d-OLD", facts())).toMatchObject({ action: "none", reason: "superseded" });
    expect(byHand("d-BAD", facts({ lastSuccess: null }))).toMatchObject({ action: "none", reason: "no-recent-release" });
  });

  it("keeps the automation's guards: a rollback in flight, once per release, never forward, the cooldown and the daily cap", () => {
    expect(byHand("d-BAD", facts({ inProgress: deployment("d-RB", 41, minutes(15), true) }))).toMatchObject({
      reason: "rollback-in-flight",
    });
    expect(byHand("d-BAD", facts({ recentRollbacks: [{ badDeploymentId: "d-BAD", at: minutes(10) }] }))).toMatchObject({
      reason: "already-rolled-back",
    });
    expect(byHand("d-BAD", facts({ previousSuccess: deployment("d-GOOD", 43, minutes(-600)) }))).toMatchObject({
      reason: "would-roll-forward",
    });
    expect(byHand("d-BAD", facts({ recentRollbacks: [{ badDeploymentId: "d-X", at: minutes(10) }] }))).toMatchObject({
      reason: "cooldown",
    });
    const cap = [1, 2, 3].map((n) => ({ badDeploymentId: `d-X${n}`, at: minutes(-60 * n) }));
    expect(byHand("d-BAD", facts({ recentRollbacks: cap }))).toMatchObject({ reason: "daily-cap" });
  });

  it("only rehearses in dry-run, as the automation does", () => {
    expect(byHand("d-BAD", facts(), minutes(20), { ...POLICY, mode: "dry-run" })).toMatchObject({
      action: "redeploy-previous",
      dryRun: true,
    });
  });
});
