import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StageSettingsOverrides } from "@hands-off-ops/core/settings/schema";
import { beforeAll, describe, expect, it } from "vitest";
import type { Tally } from "../../packages/cli/src/ops/replay/timeline";
import { readTimeline } from "../../packages/cli/src/ops/replay/timeline-file";
import { type StageSettings, stageSettings } from "../../stacks/config";

/**
 * The shipped incidents (timelines/), replayed on prod through the real
 * handlers with one shared state table: exactly what on-call gets, and the
 * messages themselves, committed in timelines/renders/ to be read by eye.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const TIMELINES = path.join(ROOT, "timelines");
let replayTimeline: typeof import("../../packages/cli/src/ops/replay/timeline").replayTimeline;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ replayTimeline } = await import("../../packages/cli/src/ops/replay/timeline"));
});

type Mode = StageSettings["automationMode"];
/** Prod as shipped, or with the few settings a story is about (a stage whose releases ECS runs). */
const prod = (mode: Mode, slack?: "webhook", overrides?: StageSettingsOverrides): StageSettings => {
  const settings = overrides ? stageSettings("prod", overrides) : stageSettings("prod");
  const notifications = slack
    ? { ...settings.notifications, slack: { ...settings.notifications.slack, mode: slack } }
    : settings.notifications;
  return { ...settings, automationMode: mode, notifications };
};

function run(name: string, settings: StageSettings, messagesOnly = false) {
  const file = path.join(TIMELINES, `${name}.json`);
  // Timelines name their events from the repository root, where `npm run ops` and vitest run.
  return replayTimeline(readTimeline(file, JSON.parse(readFileSync(file, "utf8"))), "prod", settings, { messagesOnly });
}

const tally = (page: number, escalation: number, reopened: number, resolution: number, slack: [number, number, number]): Tally => ({
  emails: { page, escalation, reopened, resolution, other: 0 },
  slack: { messages: slack[0], updates: slack[1], replies: slack[2] },
  incidents: 1,
});

/** On prod, releases run by ECS itself (release.controller "ecs"): `OPS_SETTINGS_FILE` with {"prod": this} in the console. */
const ECS: StageSettingsOverrides = { release: { controller: "ecs" } };

/** A web service and a worker (the http-echo example, `OPS_SETTINGS_FILE=examples/http-echo/web-and-worker.settings.json` in the console). */
const WEB_AND_WORKER: StageSettingsOverrides = JSON.parse(
  readFileSync(path.join(ROOT, "examples/http-echo/web-and-worker.settings.json"), "utf8"),
).prod;

/** [timeline, mode, e-mails (page, escalation, reopened, resolution), Slack (messages, updates, replies), settings changed] */
const EXPECTED: [string, Mode, Tally, StageSettingsOverrides?][] = [
  // The automation stops the release; CodeDeploy's STOP joins the incident; a duplicate delivery of the alarm adds nothing.
  ["bad-release-during-canary", "enforce", tally(1, 0, 0, 1, [1, 3, 3])],
  // Dry-run: the same page and no escalation: CodeDeploy's deployment group watches the 5xx alarm and stops the
  // release itself, so nobody is told to stop it by hand.
  ["bad-release-during-canary", "dry-run", tally(1, 0, 0, 1, [1, 3, 3])],
  // The rollback and CodeDeploy's START and SUCCESS of it are steps of the incident: "rolling back", then "rolled back".
  ["bad-release-in-bake-window", "enforce", tally(1, 0, 0, 1, [1, 4, 4])],
  // On-call's own deployment is theirs, not the automation's: its own release thread.
  ["bad-release-in-bake-window-by-hand", "dry-run", tally(1, 1, 0, 1, [2, 3, 3])],
  // Each change once, in time order: the late OK and the duplicate ALARM tell nobody anything.
  ["flapping-alarm", "enforce", tally(1, 0, 1, 2, [1, 7, 7])],
  ["flapping-alarm", "dry-run", tally(1, 0, 1, 2, [1, 7, 7])],
  // The third crash of one revision is a loop ECS will not end: one escalation.
  ["crash-loop", "enforce", tally(1, 1, 0, 0, [1, 3, 3])],
  ["alarm-no-release", "enforce", tally(1, 0, 0, 1, [1, 2, 2])],
  ["alarm-no-release", "dry-run", tally(1, 0, 0, 1, [1, 2, 2])],
  // The stories of issue 29 (docs/notifications.md, "Stories"). Two release alarms of one canary: one page, one stop
  // (the second alarm's rollback finds the stop claimed), one end once both are OK.
  ["two-alarms-one-canary", "enforce", tally(1, 0, 0, 1, [1, 6, 6])],
  // Dry-run: the deployment group watches both alarms and stops the release itself, so nothing asks a person to.
  ["two-alarms-one-canary", "dry-run", tally(1, 0, 0, 1, [1, 6, 6])],
  // The hook's Failed verdict is a step of the alarm's incident; after it nothing asks a person to stop the release.
  ["hook-failure-while-alarm-fires", "enforce", tally(1, 0, 0, 1, [1, 4, 4])],
  ["hook-failure-while-alarm-fires", "dry-run", tally(1, 0, 0, 1, [1, 4, 4])],
  // Crashes, the alarm, the rollback and its success: one incident; no escalation once the rollback runs.
  ["crash-loop-after-release", "enforce", tally(1, 0, 0, 1, [1, 8, 8])],
  // Dry-run: one escalation (roll back by hand); on-call's deployment is theirs, with its own release thread.
  ["crash-loop-after-release", "dry-run", tally(1, 1, 0, 1, [2, 7, 7])],
  // One incident, one page; ECS's SERVICE_STEADY_STATE ends it (the kill and the placement failure are over).
  ["oom-then-no-capacity", "enforce", tally(1, 0, 0, 1, [1, 2, 2])],
  ["oom-then-no-capacity", "dry-run", tally(1, 0, 0, 1, [1, 2, 2])],
  // Six hours in ALARM: the page, one reminder in its thread four hours in (the next sweep adds nothing), the end.
  ["alarm-in-alarm-six-hours", "enforce", tally(1, 0, 0, 1, [1, 2, 3])],
  ["alarm-in-alarm-six-hours", "dry-run", tally(1, 0, 0, 1, [1, 2, 3])],
  // The OK first: the incident opens ended (one e-mail, its end); the late ALARM pages nobody and rolls nothing back.
  ["ok-before-its-alarm", "enforce", tally(0, 0, 0, 1, [1, 2, 2])],
  ["ok-before-its-alarm", "dry-run", tally(0, 0, 0, 1, [1, 2, 2])],
  // ECS rolls back by itself: its events are steps of the alarm's incident; the release keeps its own thread.
  ["ecs-stage-alarm-during-release", "enforce", tally(1, 0, 0, 1, [2, 5, 7]), ECS],
  // ECS's deployment alarms stop and roll back the release in dry-run too: no call for a person.
  ["ecs-stage-alarm-during-release", "dry-run", tally(1, 0, 0, 1, [2, 5, 7]), ECS],
  // The worker's alarm during the web service's release: the worker's incident (ECS rolls the worker back, a step
  // of it); the web release keeps its own thread and is blamed for nothing.
  ["worker-alarm-during-release", "enforce", tally(1, 0, 0, 1, [3, 4, 4]), WEB_AND_WORKER],
  ["worker-alarm-during-release", "dry-run", tally(1, 0, 0, 1, [3, 4, 4]), WEB_AND_WORKER],
];

describe("the shipped incident timelines on prod", () => {
  it("are all in the table below", () => {
    const shipped = readdirSync(TIMELINES).filter((file) => file.endsWith(".json"));
    expect(new Set(EXPECTED.map(([name]) => `${name}.json`))).toEqual(new Set(shipped));
  });

  it.each(EXPECTED)("%s in %s: exactly what on-call gets", async (name, mode, expected, overrides) => {
    expect((await run(name, prod(mode, undefined, overrides))).tally).toEqual(expected);
  });

  it.each(EXPECTED)("%s in %s: the messages as on-call reads them (timelines/renders)", async (name, mode, _tally, overrides) => {
    const { lines } = await run(name, prod(mode, undefined, overrides), true);
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot(path.join(TIMELINES, "renders", `${name}.${mode}.txt`));
  });

  it.each(
    EXPECTED.filter(([name, mode]) => mode === "enforce" && EXPECTED.some(([other, m]) => other === name && m === "dry-run")).map(
      ([name, , , overrides]) => [name, overrides] as const,
    ),
  )("%s pages as often in dry-run as in enforce", async (name, overrides) => {
    const [enforce, dryRun] = await Promise.all([
      run(name, prod("enforce", undefined, overrides)),
      run(name, prod("dry-run", undefined, overrides)),
    ]);
    expect(dryRun.tally.emails.page).toBe(enforce.tally.emails.page);
    expect(dryRun.tally.emails.resolution).toBe(enforce.tally.emails.resolution);
  });

  it("every story of one cause is one incident: at most one page, one end and one escalation", () => {
    for (const [, , { incidents, emails }] of EXPECTED.filter(([name]) => name !== "flapping-alarm")) {
      expect(incidents).toBe(1);
      expect(emails.page).toBeLessThanOrEqual(1);
      expect(emails.resolution).toBeLessThanOrEqual(1);
      expect(emails.escalation).toBeLessThanOrEqual(1);
      expect(emails.other).toBe(0);
    }
  });

  it.each(["enforce", "dry-run"] as const)(
    "worker-alarm-during-release in %s: the worker's alarm is the worker's incident, and the web release is not blamed",
    async (mode) => {
      const { lines } = await run("worker-alarm-during-release", prod(mode, undefined, WEB_AND_WORKER), true);
      const text = lines.join("\n");
      // The incident is the worker's: opened by its alarm, named by it, its steps the rollback's word and ECS's rollback.
      expect(text).toContain("Incident:       Opened. alarm:prod-hands-off-ops-WorkerWorkerCpu");
      expect(text).toContain("WARNING · prod · worker: WorkerWorkerCpu is in ALARM");
      expect(text).toContain(
        '• Did nothing: WorkerWorkerCpu is an alarm of worker "worker", no release of the public service is to blame; ECS rolls a running deployment of worker back by itself on it.',
      );
      expect(text).toContain('• ECS is rolling the deployment of worker "worker" back by itself');
      // Nothing stops, rolls back or blames the web service's release, nor tells a person to: ECS did the worker's rollback.
      const oncall = lines.slice(lines.findIndex((line) => line.includes("WorkerWorkerCpu is in ALARM")));
      const release = oncall.filter((line) => line.includes("d-NEWRELEASE"));
      expect(release.every((line) => !/stop|roll(ed|ing)? back|bad release|a person must act/i.test(line))).toBe(true);
      expect(text).not.toMatch(/aws deploy stop-deployment|aws ecs update-service|roll back by hand|Would stop release/);
      expect(text).toContain("Release d-NEWRELEASE succeeded");
    },
  );

  it("oom-then-no-capacity ends once ECS reports the service steady again", async () => {
    expect((await run("oom-then-no-capacity", prod("enforce"))).tally.emails.resolution).toBe(1);
  });

  it("goes on past an event no function of the stage receives, and says so (an INFO service event no rule passes)", async () => {
    const file = path.join(TIMELINES, "alarm-no-release.json");
    const story = JSON.parse(readFileSync(file, "utf8"));
    story.steps.splice(1, 0, {
      after: 300,
      event: "tests/fixtures/events/ecs-service-action-steady-state.json",
      // Another INFO event of the ECS developer guide's service action events, which no rule passes.
      overrides: { region: "{region}", "detail.eventName": "SERVICE_DESIRED_COUNT_UPDATED" },
    });
    const { lines, tally: got } = await replayTimeline(readTimeline(file, story), "prod", prod("enforce"), { messagesOnly: true });
    const note = lines.find((line) => line.startsWith("Note: No function of prod receives this event"));
    expect(note).toContain("The timeline goes on: this event reached no function.");
    expect(got).toEqual(tally(1, 0, 0, 1, [1, 2, 2]));
  });

  it("takes an RDS failover on prod to the notifier, as an event of the database's incident", async () => {
    const file = path.join(TIMELINES, "alarm-no-release.json");
    const story = JSON.parse(readFileSync(file, "utf8"));
    // RDS-EVENT-0049, "A Multi-AZ failover has completed." (RDS User Guide, "Amazon RDS event categories and event messages").
    story.steps.splice(1, 0, {
      after: 300,
      event: "tests/fixtures/events/rds-db-instance-event.json",
      overrides: {
        region: "{region}",
        "detail.SourceIdentifier": "{stage}-{app}-database",
        "detail.EventCategories": ["failover"],
        "detail.EventID": "RDS-EVENT-0049",
        "detail.Message": "A Multi-AZ failover has completed.",
      },
    });
    const { lines } = await replayTimeline(readTimeline(file, story), "prod", prod("enforce"), { messagesOnly: true });
    expect(lines.some((line) => line.startsWith("Note: "))).toBe(false);
    expect(lines).toContain("  │ 🚨 CRITICAL · prod · Database failed over to its standby");
  });

  it("through a Slack webhook, which cannot update: posts the page, each change and the end, and e-mails the same", async () => {
    const { tally: got } = await run("flapping-alarm", prod("enforce", "webhook"));
    expect(got.emails).toEqual({ page: 1, escalation: 0, reopened: 1, resolution: 2, other: 0 });
    expect(got.slack).toEqual({ messages: 4, updates: 0, replies: 0 });
  });

  it("ends with the incident's message saying what was done, from the automation's and CodeDeploy's own records", async () => {
    const { lines } = await run("bad-release-in-bake-window", prod("enforce"), true);
    const lastUpdate = lines.slice(lines.lastIndexOf("Slack update of #ops-oncall:")).join("\n");
    expect(lastUpdate).toContain("RESOLVED · prod · TargetP99Latency is back to OK");
    expect(lastUpdate).toContain(
      "Started rollback deployment d-REPLAYROLLBACK of release d-NEWRELEASE back to web:41 (in progress). (17:04 CET, 16:04 UTC)",
    );
    expect(lastUpdate).toContain(
      "Rolled back: rollback deployment d-REPLAYROLLBACK succeeded, the previous version serves all traffic. (17:09 CET, 16:09 UTC)",
    );
  });

  it("labels every step, a hook's invocation too, and says long offsets in hours", async () => {
    const { stepLabel, clock } = await import("../../packages/cli/src/ops/replay/timeline");
    const hook = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/events/codedeploy-lifecycle-hook.json"), "utf8"));
    // A hook step's label was empty: the invocation has no detail-type.
    expect(stepLabel(hook, "AfterAllowTestTraffic")).toBe("CodeDeploy lifecycle hook · AfterAllowTestTraffic · d-7K2Q9ZB1C");
    expect(stepLabel({ action: "sleep" })).toBe("schedule tick · sleep");
    const ecs = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/events/ecs-deployment-completed.json"), "utf8"));
    expect(stepLabel(ecs)).toBe("ECS Deployment State Change · ecs-svc/123 · SERVICE_DEPLOYMENT_COMPLETED");
    expect([clock(0), clock(40), clock(310), clock(6 * 3600), clock(2 * 3600 + 300)]).toEqual([
      "0 s",
      "40 s",
      "5 min 10 s",
      "6 h",
      "2 h 5 min",
    ]);
  });

  it("dates each OK's ALARM from the story, as CloudWatch writes previousState, not from the 2019 sample", async () => {
    const { lines } = await run("flapping-alarm", prod("enforce"), true);
    const began = lines.filter((line) => line.includes("ALARM began:"));
    expect(began.length).toBeGreaterThan(0);
    for (const line of began) expect(line).toContain("2026-11-24");
  });
});
