import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replayPress } from "../../packages/cli/src/ops/replay/press";
import { readPress } from "../../packages/cli/src/ops/replay/press-file";
import { stageSettings } from "../../stacks/config";

/** `npm run ops -- replay <press.json>`: a Slack press signed locally and run through the real endpoint and worker. */

const NOW = new Date("2026-11-24T16:20:00Z");
const load = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const replayed = (document: unknown, stage = "prod") =>
  replayPress(readPress("press.json", document), stage, stageSettings(stage), NOW).then((lines) => lines.join("\n"));

describe("a Slack press, replayed", () => {
  it("Roll back now: accepted, the rollback function asked and run with the file's world, the message showing who did what", async () => {
    process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
    const out = await replayed(load("presses/roll-back-now.json"));
    expect(out).toContain("Endpoint answered 200 to Slack: accepted");
    expect(out).toContain(
      'AWS  Lambda Invoke  prod-hands-off-ops-rollback (RequestResponse): {"kind":"roll-back","deploymentId":"d-NEWRELEASE"',
    );
    // A person decided: the stop is real even though prod's automation only rehearses.
    expect(out).toContain("Carried out: stopped release d-NEWRELEASE with rollback");
    expect(out).toContain("AWS  CodeDeploy StopDeployment  d-NEWRELEASE with autoRollbackEnabled");
    const message = out.slice(out.indexOf("The message, as the channel now reads it:"));
    expect(message).not.toContain("[Roll back now]");
    expect(message).toContain("[Deployment]");
    expect(message).toContain("<@U0ALICE001> pressed *Roll back* at 2026-11-24 17:20:00 CET (16:20:00 UTC): stopped release d-NEWRELEASE");
  });

  it("Approve: the waiting hook execution is told Succeeded, once, and the thread is told who approved", async () => {
    const out = await replayed(load("presses/approve.json"));
    expect(out.match(/PutLifecycleEventHookExecutionStatus/g)).toHaveLength(1);
    expect(out).toContain(
      "PutLifecycleEventHookExecutionStatus  d-NEWRELEASE Succeeded (execution eyJlbmNyeXB0ZWREYXRhIjoiYXBwcm92YWwgcmVwbGF5In0=)",
    );
    expect(out).toContain('PutEvents  Automation Action: "Release d-NEWRELEASE approved by alice"');
  });

  it("refuses as the endpoint would: another workspace, a person not named, a gate no longer waiting", async () => {
    const press = load("presses/roll-back-now.json");
    const other = await replayed({ ...press, press: { ...press.press, team: { id: "T0OTHER001", domain: "other" } } });
    expect(other).toContain("Endpoint answered 200 to Slack: refused (this Slack workspace is not the one prod answers)");
    expect(other).toContain("Only the presser sees: Not done: this Slack workspace is not the one prod answers.");
    expect(other).not.toContain("Lambda Invoke");

    const bob = await replayed({ ...press, press: { ...press.press, user: { id: "U0BOB00001", username: "bob" } } });
    expect(bob).toContain("refused (you are not allowed to roll back releases on prod)");

    const approve = load("presses/approve.json");
    const late = await replayed({ ...approve, approval: { ...approve.approval, minutesLeft: -1 } });
    expect(late).toContain("Carried out: not done: too late: the approval's deadline passed at 17:19 CET (16:19 UTC)");
    expect(late).not.toContain("PutLifecycleEventHookExecutionStatus");
  });

  it("says what is wrong with a press file", () => {
    const press = load("presses/roll-back-now.json");
    expect(() => readPress("x.json", { ...press, ticket: { action: "acknowledge", subject: "alarm:x" } })).toThrow(
      "an incident's buttons act on its record; replay the incident's timeline instead",
    );
    expect(() => readPress("x.json", { press: {} })).toThrow(/The press x.json is not valid:\n {2}description: /);
  });
});
