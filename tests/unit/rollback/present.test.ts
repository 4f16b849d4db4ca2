import type { AlarmFacts } from "@hands-off-ops/core/rollback/alarm";
import { type AlarmRollbackFacts, decideRollback } from "@hands-off-ops/core/rollback/decide";
import { type AlarmNow, staleAlarm, stateChangedAt } from "@hands-off-ops/core/rollback/present";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

/**
 * Act on the present: an ALARM event stands only while CloudWatch still has that episode in ALARM. EventBridge
 * delivers at least once and in no guaranteed order, so an ALARM can arrive after its OK
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html).
 */

const settings = stageSettings("prod", { automationMode: "enforce" });
const policy = (mode: "enforce" | "dry-run") => ({
  ...settings.rollback,
  mode,
  bakeWindowMinutes: settings.release.bakeWindowMinutes,
  timeZone: settings.schedule.timeZone,
  releaseAlarms: [],
  workers: [],
});
const RAISED = new Date("2026-11-20T03:02:00.250Z");
const seconds = (n: number) => new Date(RAISED.getTime() + n * 1000);
const td = (revision: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-Service-app:${revision}`;
const deployment = (id: string, revision: number, at: Date) => ({
  deploymentId: id,
  taskDefinitionArn: td(revision),
  at,
  automaticRollback: false,
});

const alarm = (overrides: Partial<AlarmFacts> = {}): AlarmFacts => ({
  eventId: "e-late",
  alarmName: "prod-hands-off-ops-Alb5xxRate",
  alarmId: "Alb5xxRate",
  state: "ALARM",
  reason: "Threshold Crossed",
  at: RAISED,
  ...overrides,
});

const RELEASES = {
  // A release still running: the alarm would stop it.
  "in flight": { inProgress: deployment("d-NOW", 43, seconds(-300)), lastSuccess: deployment("d-OLD", 42, seconds(-90_000)) },
  // A release finished ten minutes before the alarm, inside the bake window: the alarm would redeploy the one before.
  finished: { inProgress: null, lastSuccess: deployment("d-BAD", 42, seconds(-600)) },
};
const facts = (release: keyof typeof RELEASES, alarmNow: AlarmNow | null): AlarmRollbackFacts => ({
  previousSuccess: deployment("d-GOOD", 41, seconds(-900_000)),
  recentRollbacks: [],
  ...RELEASES[release],
  alarmNow,
});

// Before: CloudWatch's read trails its own event (the event is the newer word). Same: this very episode. After: a
// change since, which supersedes the event.
const WHEN = { before: seconds(-60), same: RAISED, after: seconds(190) };
const cases = (["ALARM", "OK", "INSUFFICIENT_DATA"] as const).flatMap((state) =>
  (["before", "same", "after"] as const).flatMap((when) =>
    (["enforce", "dry-run"] as const).flatMap((mode) =>
      (["in flight", "finished"] as const).map((release) => ({ state, when, mode, release })),
    ),
  ),
);

describe("an ALARM event against the alarm as CloudWatch has it now", () => {
  it("covers every state, time, mode and release (3 × 3 × 2 × 2)", () => {
    expect(cases).toHaveLength(36);
  });

  it.each(cases)("$state, changed $when the event, $mode, release $release", ({ state, when, mode, release }) => {
    const decision = decideRollback(alarm(), facts(release, { state, since: WHEN[when] }), policy(mode), seconds(200));
    if (when === "after") {
      expect(decision).toMatchObject({ action: "none", reason: "stale-alarm" });
      return;
    }
    const dryRun = mode === "dry-run";
    expect(decision).toMatchObject(
      release === "in flight"
        ? { action: "stop-deployment", deploymentId: "d-NOW", dryRun }
        : { action: "redeploy-previous", badDeploymentId: "d-BAD", to: td(41), dryRun },
    );
  });

  it("says why, with the times in the stage's zone and UTC beside: ended since, or a later episode of its own", () => {
    expect(staleAlarm(alarm(), { state: "OK", since: new Date("2026-11-20T03:12:00Z") }, "Europe/Berlin")).toEqual({
      action: "none",
      reason: "stale-alarm",
      why: "Alb5xxRate is OK since 2026-11-20 04:12:00 CET (03:12:00 UTC), after this ALARM was raised at 2026-11-20 04:02:00 CET (03:02:00 UTC)",
    });
    expect(staleAlarm(alarm(), { state: "ALARM", since: new Date("2026-11-20T03:15:00Z") }, "Europe/Berlin")?.why).toBe(
      "this ALARM, raised at 2026-11-20 04:02:00 CET (03:02:00 UTC), is an earlier episode: Alb5xxRate went to ALARM again at 2026-11-20 04:15:00 CET (03:15:00 UTC), and that episode's own event decides",
    );
  });

  it("writes UTC alone in a UTC stage", () => {
    expect(staleAlarm(alarm(), { state: "OK", since: new Date("2026-11-20T03:12:00Z") }, "UTC")?.why).toBe(
      "Alb5xxRate is OK since 2026-11-20 03:12:00 UTC, after this ALARM was raised at 2026-11-20 03:02:00 UTC",
    );
  });

  it("takes the stage's zone from its policy", () => {
    const decision = decideRollback(
      alarm(),
      facts("finished", { state: "OK", since: new Date("2026-11-20T03:12:00Z") }),
      policy("enforce"),
      seconds(800),
    );
    expect(decision).toMatchObject({
      reason: "stale-alarm",
      why: expect.stringContaining("OK since 2026-11-20 04:12:00 CET (03:12:00 UTC)"),
    });
  });

  it("changes nothing for an alarm CloudWatch no longer knows (deleted since)", () => {
    expect(decideRollback(alarm(), facts("in flight", null), policy("enforce"), seconds(200))).toMatchObject({
      action: "none",
      reason: "stale-alarm",
      why: "Alb5xxRate no longer exists (CloudWatch does not know it): it cannot be in ALARM now",
    });
  });

  it("tells an alarm that cannot blame a release so first, whatever CloudWatch says", () => {
    const cpu = alarm({ alarmId: "DatabaseCpu", alarmName: "prod-hands-off-ops-DatabaseCpu" });
    expect(decideRollback(cpu, facts("finished", { state: "OK", since: seconds(60) }), policy("enforce"), seconds(200))).toMatchObject({
      reason: "not-a-release-alarm",
    });
  });
});

describe("Do it, pressed in Slack: what the automation would do now", () => {
  const pressed = alarm({ pressed: true, at: seconds(900), eventId: "do-it-X" });

  it.each([
    ["ALARM", seconds(-60), null],
    ["ALARM", seconds(600), null],
    ["OK", seconds(300), "stale-alarm"],
    ["INSUFFICIENT_DATA", seconds(-60), "stale-alarm"],
  ] as const)("the alarm %s since %s: %s", (state, since, reason) => {
    const decision = decideRollback(pressed, facts("in flight", { state, since }), policy("enforce"), seconds(900));
    if (reason) expect(decision).toMatchObject({ action: "none", reason });
    else expect(decision).toMatchObject({ action: "stop-deployment", deploymentId: "d-NOW" });
  });
});

describe("the time an alarm event was raised", () => {
  it("is its state's own timestamp, to the millisecond, as DescribeAlarms gives it back", () => {
    // The AWS documentation's sample: the envelope's time is to the second, the state's to the millisecond.
    expect(stateChangedAt("2019-10-02T17:04:40.989+0000", "2019-10-02T17:04:40Z")).toEqual(new Date("2019-10-02T17:04:40.989Z"));
  });

  it("falls back on the envelope's time when the state's cannot be read", () => {
    expect(stateChangedAt("yesterday", "2019-10-02T17:04:40Z")).toEqual(new Date("2019-10-02T17:04:40Z"));
  });
});
