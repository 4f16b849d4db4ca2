import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/run-command";

/**
 * `npm run ops -- replay` as an operator runs it: the real handlers of a
 * stage, one event, the scenario's world; what it prints and its exit code.
 */

const ops = (...args: string[]) => runCommand("ops", args);
const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");

function scenario(name: string) {
  const file = path.join(SCENARIOS, `${name}.json`);
  const { forEvent } = JSON.parse(readFileSync(file, "utf8")) as { forEvent: string };
  return { file, event: forEvent };
}

async function replay(name: string, stage: string, ...extra: string[]) {
  const { file, event } = scenario(name);
  return ops("replay", event, "--stage", stage, "--scenario", file, ...extra);
}

/** The lines of one function's section, up to the next section. */
function section(stdout: string, title: string): string {
  const start = stdout.indexOf(`── ${title} `);
  if (start < 0) throw new Error(`no section "${title}" in:\n${stdout}`);
  const next = stdout.indexOf("\n── ", start + 1);
  return stdout.slice(start, next < 0 ? undefined : next);
}

describe("npm run ops -- replay, the shipped scenarios", () => {
  it("an alarm during a release, in prod's dry-run: the rollback says CodeDeploy stops the release itself, and asks nobody to", async () => {
    const { code, stdout } = await replay("alarm-during-release", "prod");
    expect(code).toBe(0);
    expect(stdout).toContain("Received by: notify, rollback");
    const rollback = section(stdout, "rollback");
    expect(rollback).toContain('"action": "stop-deployment"');
    expect(rollback).toContain('"kind": "would-stop"');
    expect(rollback).not.toContain("StopDeployment");
    expect(rollback).toMatch(/AWS {2}DynamoDB PutItem {2}audit#rollback#prod \S+ \(stop-deployment → would-stop\)/);
    const notified = section(stdout, "notify ← rollback's notice");
    // Alb5xxRate is a release alarm: CodeDeploy's deployment group watches it and stops the release itself, so
    // dry-run gives no stop command (it could only fail) and e-mails no escalation.
    expect(notified).toContain("CodeDeploy stops release d-NEWRELEASE itself on Alb5xxRate; dry-run changed nothing");
    expect(notified).not.toContain("aws deploy stop-deployment");
    expect(notified).toContain('"email": "in-incident"');
    expect(notified).not.toContain("E-mail:");
  });

  it("the same alarm on staging (enforce) stops the release with rollback", async () => {
    const { stdout } = await replay("alarm-during-release", "staging");
    expect(section(stdout, "rollback")).toContain("AWS  CodeDeploy StopDeployment  d-NEWRELEASE with autoRollbackEnabled");
  });

  it("an alarm inside the bake window redeploys the previous version, claims the bad release once, and tells on-call", async () => {
    const { stdout } = await replay("alarm-after-release", "staging");
    const rollback = section(stdout, "rollback");
    const calls = rollback.split("\n").filter((line) => line.startsWith("  AWS"));
    expect(calls.map((line) => line.split("  ")[2])).toEqual([
      "DynamoDB PutItem",
      // The alarm as it is now, before anything else: the event's own ALARM in a single-event replay.
      "CloudWatch DescribeAlarms",
      // The ledger's recent rollbacks and CodeDeploy's history, read together (the adapters' own calls, in their order).
      "DynamoDB Query",
      "CodeDeploy ListDeployments",
      "CodeDeploy ListDeployments",
      "CodeDeploy BatchGetDeployments",
      "DynamoDB PutItem",
      "CodeDeploy CreateDeployment",
      "DynamoDB PutItem",
      "DynamoDB PutItem",
      "EventBridge PutEvents",
      "DynamoDB UpdateItem",
    ]);
    expect(rollback).toContain("→ arn:aws:ecs:eu-central-1:123456789012:task-definition/web:41 (CodeDeployDefault.ECSAllAtOnce)");
    // The alarm paged; the rollback's notice is a step of the same incident: no second e-mail, a reply and an update.
    expect(section(stdout, "notify")).toContain("E-mail: [CRITICAL] staging hands-off-ops: TargetP99Latency is in ALARM");
    const notified = section(stdout, "notify ← rollback's notice");
    expect(notified).not.toContain("E-mail:");
    expect(notified).toContain("Slack message to #ops-staging (thread reply):");
    expect(notified).toContain("• Started rollback deployment d-REPLAYROLLBACK of release d-NEWRELEASE back to web:41 (in progress).");
  });

  it("a rollback ten minutes ago holds the next one back (cooldown) and says so", async () => {
    const { stdout } = await replay("alarm-after-release-cooldown", "staging");
    const rollback = section(stdout, "rollback");
    expect(rollback).toContain("the last automatic rollback was 11 min ago (cooldown 30 min)");
    expect(rollback).not.toContain("CreateDeployment");
  });

  it("an alarm the stage's rule would not pass on is replayed with a note saying so", async () => {
    const { stdout } = await replay("foreign-alarm", "prod");
    expect(stdout).toContain(
      "Note: In AWS the prod rule would not deliver this event: the alarm ServiceAggregatedAlarm is not named prod-hands-off-ops-…",
    );
  });

  it("a healthy release passes its hook: Succeeded goes to CodeDeploy, the comparison sends its sample to both listeners", async () => {
    const { stdout } = await replay("hook-healthy", "prod");
    const hook = section(stdout, "canary-hook (AfterAllowTestTraffic)");
    expect(hook).toContain('"status": "Succeeded"');
    // 20 warm-up requests, not counted, then the sample of 200.
    expect(hook).toMatch(/HTTP GET production listener \/api\/polls\/[\w-]+\/results → 404 {2}\(×220\)/);
    expect(hook).toMatch(/AWS {2}CodeDeploy PutLifecycleEventHookExecutionStatus {2}d-7K2Q9ZB1C Succeeded/);
  });

  it("a new version that cannot reach its database fails the hook after its warm-up retries, and pages on-call", async () => {
    const { stdout } = await replay("hook-new-version-unhealthy", "prod");
    expect(section(stdout, "canary-hook (AfterAllowTestTraffic)")).toContain(
      'smoke check \\"database ready\\" failed: status 503, expected 200',
    );
    expect(stdout).toContain("HTTP GET test listener /ready → 503  (×5)");
    expect(stdout).toContain("E-mail: [CRITICAL] prod hands-off-ops: AfterAllowTestTraffic failed for release d-7K2Q9ZB1C");
  });

  it("a slower new version fails the comparison with the latency test named", async () => {
    const { stdout } = await replay("hook-new-version-slower", "prod");
    expect(stdout).toMatch(/the new version regressed: p95 latency \d+ ms against \d+ ms \(Mann-Whitney p < 0\.0001/);
  });

  it("--hook picks another lifecycle hook, and refuses one the stage runs no checks at", async () => {
    const after = await replay("hook-healthy", "prod", "--hook", "AfterAllowTraffic");
    expect(after.stdout).toContain("Received by: canary-hook (AfterAllowTraffic)");
    expect(after.stdout).toContain("HTTP GET production listener /health → 200");
    const before = await replay("hook-healthy", "prod", "--hook", "BeforeInstall");
    expect(before.code).toBe(2);
    expect(before.stderr).toContain("prod runs no checks at BeforeInstall: its hooks are AfterAllowTestTraffic, AfterAllowTraffic");
  });

  it("a release start opens the Slack thread and starts the canary watch's minute schedule", async () => {
    const { stdout } = await replay("release-started", "staging");
    expect(stdout).toContain("Received by: notify, canary-watch");
    expect(section(stdout, "notify")).toContain("AWS  DynamoDB PutItem  notify#thread#d-NEWRELEASE slack if attribute_not_exists(pk)");
    expect(section(stdout, "canary-watch")).toContain("AWS  Scheduler CreateSchedule  watch-d-NEWRELEASE rate(1 minute) until");
  });

  it("a Custom::Release update starts a CodeDeploy deployment of the new task definition", async () => {
    const { stdout } = await replay("release-update", "prod");
    expect(stdout).toContain('"DeploymentId": "d-REPLAYRELEASE"');
    expect(stdout).toMatch(/AWS {2}CodeDeploy CreateDeployment {2}prod-hands-off-ops-Service\/prod-hands-off-ops-Service → .+:8/);
  });

  it("RDS's 7-day auto-start on a Saturday: the schedule checks back in ten minutes to stop the database again", async () => {
    const { stdout } = await replay("database-auto-start", "dev");
    expect(stdout).toContain("Received by: notify, schedule");
    expect(stdout).toContain("AWS  Scheduler CreateSchedule  recheck-202611281110 at(2026-11-28T11:10:00)");
    expect(stdout).toContain('"why": "not a working day (Saturday)"');
  });

  it("RDS's sample on production, which has no sleep schedule: the notifier alone, noting the instance is not the stage's", async () => {
    const { code, stdout } = await ops("replay", "tests/fixtures/events/rds-db-instance-event.json", "--stage", "prod");
    expect(code).toBe(0);
    expect(stdout).toContain("Received by: notify\n");
    expect(stdout).toContain("Note: In AWS the prod rule would not deliver this event: the DB instance testdb is not the stage's");
    expect(section(stdout, "notify")).toContain("⚠️ WARNING · prod · Database stopped");
  });

  it("keeps the handlers' own JSON logs out of the way unless --logs asks for them", async () => {
    const quiet = await replay("automation-notice", "prod");
    expect(quiet.stdout).not.toContain('"level":"INFO"');
    const logged = await replay("automation-notice", "prod", "--logs");
    expect(logged.stdout).toMatch(/\{"level":"INFO","message":"Delivered",.*"service":"notify"/);
  });

  it("a crashed task warns on-call by Slack and e-mail", async () => {
    const { stdout } = await replay("task-crashed", "prod");
    expect(stdout).toContain("AWS  SNS Publish  prod-hands-off-ops-on-call");
    expect(stdout).toMatch(/Slack message to #ops-oncall:\n {2}│ ⚠️ WARNING · prod · /);
  });
});

describe("npm run ops -- replay, a stage whose releases ECS runs (release.controller ecs)", () => {
  const settingsFile = path.join(tmpdir(), `ops-replay-${process.pid}-ecs.settings.json`);
  writeFileSync(settingsFile, JSON.stringify({ prod: { release: { controller: "ecs" } } }));
  const onEcs = async (name: string) => {
    const { file, event } = scenario(name);
    return runCommand("ops", ["replay", event, "--stage", "prod", "--scenario", file], { OPS_SETTINGS_FILE: settingsFile });
  };

  it("ECS's hook after the test traffic shift: smoke and comparison, SUCCEEDED returned to ECS, the verdict in the release's thread", async () => {
    const { code, stdout } = await onEcs("ecs-hook-healthy");
    expect(code).toBe(0);
    expect(stdout).toContain("Received by: ecs-hook");
    const hook = section(stdout, "ecs-hook (ECS lifecycle hook)");
    expect(hook).toContain('"hookStatus": "SUCCEEDED"');
    expect(hook).toContain("AWS  ECS DescribeServiceDeployments  EZe5RNVLH6PPzHXINuP28: IN_PROGRESS, replaces a running revision");
    expect(hook).not.toContain("PutLifecycleEventHookExecutionStatus");
    expect(section(stdout, "notify ← ecs-hook's notice")).toContain("• Returned SUCCEEDED to ECS: the release goes on.");
  });

  it("the service's first deployment: the smoke checks decide, nothing is compared", async () => {
    const { stdout } = await onEcs("ecs-hook-first-deployment");
    const hook = section(stdout, "ecs-hook (ECS lifecycle hook)");
    expect(hook).not.toContain("production listener");
    expect(section(stdout, "notify ← ecs-hook's notice")).toContain("no comparison: this is the service's first deployment");
  });

  it("ECS starts a release: the notifier finds its service deployment and opens the thread, the canary watch starts", async () => {
    const { stdout } = await onEcs("ecs-release-started");
    expect(stdout).toContain("Received by: notify, canary-watch");
    expect(section(stdout, "notify")).toContain("Release EZe5RNVLH6PPzHXINuP28 started");
    expect(section(stdout, "canary-watch")).toContain("AWS  Scheduler CreateSchedule  watch-EZe5RNVLH6PPzHXINuP28");
  });

  it("a rollback that failed pages on-call by e-mail too, saying the new revision may still serve", async () => {
    const { stdout } = await onEcs("ecs-release-failed");
    const notify = section(stdout, "notify");
    expect(notify).toContain("the new revision may still serve users");
    expect(notify).toContain("E-mail: [CRITICAL] prod hands-off-ops: Release EZe5RNVLH6PPzHXINuP28 failed");
  });

  it("refuses CodeDeploy's hook on it, and ECS's events on a CodeDeploy stage", async () => {
    const codeDeployHook = await runCommand("ops", ["replay", "tests/fixtures/events/codedeploy-lifecycle-hook.json", "--stage", "prod"], {
      OPS_SETTINGS_FILE: settingsFile,
    });
    expect(codeDeployHook.code).toBe(2);
    expect(codeDeployHook.stderr).toContain(
      "No function of prod receives a CodeDeploy lifecycle hook invocation: its releases are run by ECS itself (release.controller ecs), not by CodeDeploy.",
    );
    const ecsEvent = await ops("replay", "tests/fixtures/events/ecs-deployment-in-progress.json", "--stage", "prod");
    expect(ecsEvent.code).toBe(2);
    expect(ecsEvent.stderr).toContain("its releases are run by CodeDeploy (release.controller codedeploy), not by ECS.");
  });
});

describe("npm run ops -- replay, a timeline", () => {
  it("replays an incident and ends with what on-call got", async () => {
    const { code, stdout } = await ops("replay", "timelines/crash-loop.json", "--stage", "staging", "--messages-only");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Timeline on staging \(staging, automation enforce\)/);
    expect(stdout).not.toContain("AWS calls it would make");
    expect(stdout.trim().split("\n").at(-1)).toBe("incidents: 1; pages: 1 e-mail (1 escalating); Slack: 1 message, 3 updates, 3 replies");
  });

  it("refuses a timeline that does not hold together, a --mode it does not know, and --mode for a single event", async () => {
    const file = path.join(tmpdir(), `ops-timeline-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ description: "x", start: "2026-11-24T16:04:00Z", steps: [{ after: -1, event: "e.json" }] }));
    const broken = await ops("replay", file, "--stage", "prod");
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringContaining("steps.0.after: Too small")]);
    const mode = await ops("replay", "timelines/crash-loop.json", "--stage", "prod", "--mode", "yolo");
    expect([mode.code, mode.stderr]).toEqual([2, expect.stringContaining('--mode must be enforce or dry-run, not "yolo"')]);
    const single = await ops("replay", "tests/fixtures/events/automation-action.json", "--stage", "prod", "--mode", "enforce");
    expect([single.code, single.stderr]).toEqual([2, expect.stringContaining("--mode is for timelines")]);
  });
});

describe("npm run ops -- replay, what it refuses", () => {
  const write = (name: string, content: string) => {
    const file = path.join(tmpdir(), `ops-replay-${process.pid}-${name}`);
    writeFileSync(file, content);
    return file;
  };

  it("an event no function of the stage receives", async () => {
    const { code, stderr } = await ops("replay", write("hello.json", '{"hello":"world"}'), "--stage", "prod");
    expect(code).toBe(2);
    expect(stderr).toContain("No function of prod receives this event");
  });

  it("an unreadable event, an event that is not JSON, a bad stage name, a missing --stage", async () => {
    expect((await ops("replay", "nope.json", "--stage", "prod")).stderr).toContain("Cannot read the event nope.json: ENOENT");
    expect((await ops("replay", write("broken.json", "{"), "--stage", "prod")).stderr).toMatch(
      /Cannot read the event .+broken\.json: .*JSON/,
    );
    const badStage = await ops("replay", "tests/fixtures/events/automation-action.json", "--stage", "Prod");
    expect([badStage.code, badStage.stderr]).toEqual([2, expect.stringContaining('Stage "Prod": the name must be lower-case')]);
    const noStage = await ops("replay", "tests/fixtures/events/automation-action.json");
    expect([noStage.code, noStage.stderr]).toEqual([2, expect.stringContaining("--stage is required")]);
  });

  it("a scenario that does not hold together, field by field", async () => {
    const file = write("scenario.json", JSON.stringify({ deployments: { inProgress: { deploymentId: "x" } }, surprise: 1 }));
    const { code, stderr } = await ops(
      "replay",
      "tests/fixtures/events/codedeploy-lifecycle-hook.json",
      "--stage",
      "prod",
      "--scenario",
      file,
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      "deployments.inProgress.deploymentId: must be a CodeDeploy deployment id (d-…) or an ECS service deployment id (the end of its ARN)",
    );
    expect(stderr).toContain('(top): Unrecognized key: "surprise"');
  });

  it("an override of a field the event does not have", async () => {
    const file = write("override.json", JSON.stringify({ eventOverrides: { "detail.nothing.here": 1 } }));
    const { code, stderr } = await ops("replay", "tests/fixtures/events/automation-action.json", "--stage", "prod", "--scenario", file);
    expect(code).toBe(2);
    expect(stderr).toContain('eventOverrides: the event has no object at "detail.nothing.here"');
  });
});

describe("npm run ops -- replay, a development stage with a web service and a worker (examples/http-echo)", () => {
  // The example's web + worker, as a team's dev stage: no database, a busybox worker beside the echo server.
  const example = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, "../../examples/http-echo/web-and-worker.settings.json"), "utf8"),
  );
  const settingsFile = path.join(tmpdir(), `ops-replay-${process.pid}-web-and-worker.settings.json`);
  writeFileSync(settingsFile, JSON.stringify({ dev: example.prod }));
  // The schedule's own tick, as EventBridge Scheduler invokes it (stacks/schedule.ts): its input is the action.
  const tick = (action: "sleep" | "wake") => {
    const file = path.join(tmpdir(), `ops-replay-${process.pid}-${action}.json`);
    writeFileSync(file, JSON.stringify({ action }));
    return file;
  };
  const onDev = (event: string, ...extra: string[]) =>
    runCommand("ops", ["replay", event, "--stage", "dev", ...extra], { OPS_SETTINGS_FILE: settingsFile });
  /** The public service's desired count, and the worker's with its scaling limits, as the schedule set them. */
  const expectScaled = (schedule: string, publicCount: number, worker: { desired: number; min: number; max: number }) => {
    expect(schedule).toContain(`AWS  ECS UpdateService  dev-hands-off-ops-service desired count ${publicCount}`);
    expect(schedule).toContain(`AWS  ECS UpdateService  dev-hands-off-ops-worker-worker desired count ${worker.desired}`);
    expect(schedule).toContain(
      `AWS  ApplicationAutoScaling RegisterScalableTarget  service/dev-hands-off-ops-cluster/dev-hands-off-ops-worker-worker: min ${worker.min}, max ${worker.max}`,
    );
  };

  it("the sleep tick scales both services to zero, records each, and names each in the notice; no database is touched", async () => {
    const { code, stdout } = await onDev(tick("sleep"));
    expect(code).toBe(0);
    const schedule = section(stdout, "schedule");
    expectScaled(schedule, 0, { desired: 0, min: 0, max: 0 });
    expect(schedule).not.toContain("RDS");
    const notice = section(stdout, "notify ← schedule's notice");
    expect(notice).toContain("• Scaled worker worker to 0 tasks (auto scaling 0–0).");
    expect(notice).toContain("Recorded: public service 1 task (auto scaling 1–2), worker worker 1 task (auto scaling 1–2)");
  });

  it("the wake tick of a stage asleep brings the worker back at its own minimum, as deployed, when the record predates it", async () => {
    const asleep = path.join(tmpdir(), `ops-replay-${process.pid}-asleep.json`);
    const sleptAt = "2026-12-03T18:00:00Z";
    writeFileSync(
      asleep,
      JSON.stringify({
        // Friday at the start of working hours, the stage as the night left it: the public service at zero.
        now: "2026-12-04T06:31:00Z",
        service: { capacity: { desiredCount: 0, minCapacity: 0, maxCapacity: 0 } },
        asleep: { capacity: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 }, database: "available", sleptAt },
      }),
    );
    const { code, stdout } = await onDev(tick("wake"), "--scenario", asleep);
    expect(code).toBe(0);
    const schedule = section(stdout, "schedule");
    expectScaled(schedule, 1, { desired: 1, min: 1, max: 2 });
  });
});
