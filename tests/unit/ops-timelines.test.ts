import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
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
const prod = (mode: Mode, slack?: "webhook"): StageSettings => {
  const settings = stageSettings("prod");
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

/** [timeline, mode, e-mails (page, escalation, reopened, resolution), Slack (messages, updates, replies)] */
const EXPECTED: [string, Mode, Tally][] = [
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
];

describe("the shipped incident timelines on prod", () => {
  it("are all in the table below", () => {
    const shipped = readdirSync(TIMELINES).filter((file) => file.endsWith(".json"));
    expect(new Set(EXPECTED.map(([name]) => `${name}.json`))).toEqual(new Set(shipped));
  });

  it.each(EXPECTED)("%s in %s: exactly what on-call gets", async (name, mode, expected) => {
    expect((await run(name, prod(mode))).tally).toEqual(expected);
  });

  it.each(EXPECTED)("%s in %s: the messages as on-call reads them (timelines/renders)", async (name, mode) => {
    const { lines } = await run(name, prod(mode), true);
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot(path.join(TIMELINES, "renders", `${name}.${mode}.txt`));
  });

  it.each(["bad-release-during-canary", "flapping-alarm", "alarm-no-release"])(
    "%s pages as often in dry-run as in enforce",
    async (name) => {
      const [enforce, dryRun] = await Promise.all([run(name, prod("enforce")), run(name, prod("dry-run"))]);
      expect(dryRun.tally.emails.page).toBe(enforce.tally.emails.page);
      expect(dryRun.tally.emails.resolution).toBe(enforce.tally.emails.resolution);
    },
  );

  it("goes on past an event no function of the stage receives, and says so (an RDS failover on prod)", async () => {
    const file = path.join(TIMELINES, "alarm-no-release.json");
    const story = JSON.parse(readFileSync(file, "utf8"));
    // RDS-EVENT-0049, "Multi-AZ instance failover completed" (RDS User Guide, "Amazon RDS event categories and messages").
    story.steps.splice(1, 0, {
      after: 300,
      event: "tests/fixtures/events/rds-db-instance-event.json",
      overrides: { region: "{region}", "detail.EventID": "RDS-EVENT-0049", "detail.Message": "Multi-AZ instance failover completed." },
    });
    const { lines, tally: got } = await replayTimeline(readTimeline(file, story), "prod", prod("enforce"), { messagesOnly: true });
    const note = lines.find((line) => line.startsWith("Note: No function of prod receives this event"));
    expect(note).toContain("The timeline goes on: this event reached no function.");
    expect(got).toEqual(tally(1, 0, 0, 1, [1, 2, 2]));
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

  it("dates each OK's ALARM from the story, as CloudWatch writes previousState, not from the 2019 sample", async () => {
    const { lines } = await run("flapping-alarm", prod("enforce"), true);
    const began = lines.filter((line) => line.includes("ALARM began:"));
    expect(began.length).toBeGreaterThan(0);
    for (const line of began) expect(line).toContain("2026-11-24");
  });
});
