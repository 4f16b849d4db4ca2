import { readFileSync } from "node:fs";
import path from "node:path";
import { type ActiveDeployment, decideRelease, type ReleaseEvent, type ReleaseFacts } from "@hands-off-ops/core/release/custom-resource";
import { describe, expect, it } from "vitest";

/**
 * An Update of Custom::Release that meets a deployment CodeDeploy is still running in the group. CodeDeploy runs
 * one deployment per deployment group ("Number of concurrent deployments to a deployment group: 1",
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html): a second CreateDeployment is refused with
 * DeploymentLimitExceededException, and during a stack rollback that refusal is UPDATE_ROLLBACK_FAILED.
 */
const UPDATE = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../fixtures/events/cloudformation-custom-resource-update.json"), "utf8"),
) as ReleaseEvent;
const td = (revision: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/prod-hands-off-ops-app:${revision}`;
/** The stack asks for `requested`; its last deploy asked for `previous`. */
const update = (requested: number, previous: number): ReleaseEvent => ({
  ...UPDATE,
  ResourceProperties: { ...UPDATE.ResourceProperties, taskDefinitionArn: td(requested) },
  OldResourceProperties: { ...UPDATE.OldResourceProperties, taskDefinitionArn: td(previous) },
});

describe("the issue's cases", () => {
  it("a stack rollback right after a successful release stops it with rollback: the kept tasks run what the stack names", () => {
    // Release 7 -> 8 went live; a later resource failed; CloudFormation sends 7 again while 8 waits to end 7's tasks.
    const facts: ReleaseFacts = {
      serving: td(8),
      up: [td(8), td(7)],
      active: { deploymentId: "d-REL8", taskDefinitionArn: td(8), phase: "termination-wait" },
    };
    expect(decideRelease(update(7, 8), facts)).toEqual({
      action: "roll-back",
      deploymentId: "d-REL8",
      why: "prod-hands-off-ops-app:7's tasks are still up while deployment d-REL8 ships prod-hands-off-ops-app:8 (termination-wait): stopping it with rollback sends traffic back to them.",
    });
  });

  it("a stack rollback after the release's deadline (still shifting) stops it with rollback too", () => {
    const facts: ReleaseFacts = {
      serving: td(7),
      up: [td(7), td(8)],
      active: { deploymentId: "d-REL8", taskDefinitionArn: td(8), phase: "shifting" },
    };
    expect(decideRelease(update(7, 8), facts)).toMatchObject({ action: "roll-back", deploymentId: "d-REL8" });
  });

  it("a new image inside the previous release's termination wait ends that wait, then releases", () => {
    const facts: ReleaseFacts = {
      serving: td(8),
      up: [td(8), td(7)],
      active: { deploymentId: "d-REL8", taskDefinitionArn: td(8), phase: "termination-wait" },
    };
    expect(decideRelease(update(9, 8), facts)).toMatchObject({
      action: "finish-then-deploy",
      deploymentId: "d-REL8",
      description: "sst deploy: prod-hands-off-ops-app:8 -> prod-hands-off-ops-app:9",
      target: { taskDefinitionArn: td(9) },
    });
  });

  it("the rollback of a refused deploy asks for what the active release ships: nothing to do, or wait for it", () => {
    const active = { deploymentId: "d-REL8", taskDefinitionArn: td(8) };
    const shifting: ReleaseFacts = { serving: td(7), up: [td(7), td(8)], active: { ...active, phase: "shifting" } };
    const kept: ReleaseFacts = { serving: td(8), up: [td(8), td(7)], active: { ...active, phase: "termination-wait" } };
    expect(decideRelease(update(8, 9), shifting)).toMatchObject({ action: "follow", deploymentId: "d-REL8" });
    expect(decideRelease(update(8, 9), kept)).toMatchObject({ action: "none" });
  });
});

/**
 * Every combination of what serves, what is up and what the group is doing, for an Update that asks for revision 8
 * (the last deploy asked for 7). "other" is a deployment of revision 9, "unknown" one whose AppSpec names no task
 * definition this code can read (started outside this product).
 */
type Ships = "requested" | "other" | "unknown";
type Phase = ActiveDeployment["phase"];
type Where = "serving" | "kept" | "gone";
const TABLE: Record<string, string> = {
  "no deployment, 8 serving": "none",
  "no deployment, 8 kept": "deploy",
  "no deployment, 8 gone": "deploy",
  "requested shifting, 8 serving": "follow",
  "requested shifting, 8 kept": "follow",
  "requested shifting, 8 gone": "follow",
  "requested termination-wait, 8 serving": "none",
  "requested termination-wait, 8 kept": "none",
  "requested termination-wait, 8 gone": "none",
  "other shifting, 8 serving": "roll-back",
  "other shifting, 8 kept": "roll-back",
  "other shifting, 8 gone": "refuse",
  "other termination-wait, 8 serving": "roll-back",
  "other termination-wait, 8 kept": "roll-back",
  "other termination-wait, 8 gone": "finish-then-deploy",
  "unknown shifting, 8 serving": "roll-back",
  "unknown shifting, 8 kept": "roll-back",
  "unknown shifting, 8 gone": "refuse",
  "unknown termination-wait, 8 serving": "roll-back",
  "unknown termination-wait, 8 kept": "roll-back",
  "unknown termination-wait, 8 gone": "finish-then-deploy",
};

function factsOf(ships: Ships | null, phase: Phase, where: Where): ReleaseFacts {
  const up = where === "gone" ? [td(6)] : [td(8), td(6)];
  const serving = where === "serving" ? td(8) : td(6);
  if (!ships) return { serving, up };
  const taskDefinitionArn = { requested: td(8), other: td(9), unknown: undefined }[ships];
  return { serving, up, active: { deploymentId: "d-ACTIVE", taskDefinitionArn, phase } };
}

describe("decideRelease over every state of the group (Update to revision 8)", () => {
  const rows: [string, ReleaseFacts][] = [];
  for (const where of ["serving", "kept", "gone"] as Where[]) rows.push([`no deployment, 8 ${where}`, factsOf(null, "shifting", where)]);
  for (const ships of ["requested", "other", "unknown"] as Ships[])
    for (const phase of ["shifting", "termination-wait"] as Phase[])
      for (const where of ["serving", "kept", "gone"] as Where[])
        rows.push([`${ships} ${phase}, 8 ${where}`, factsOf(ships, phase, where)]);

  it("has one expected action for each of the 21 states, and no other", () => {
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(TABLE).sort());
  });

  it.each(rows)("%s", (name, facts) => {
    const decision = decideRelease(UPDATE, facts);
    expect(decision.action).toBe(TABLE[name]);
    // A deployment is started only into a group with none active, or once the active one is finished.
    if (decision.action === "deploy") expect(facts.active).toBeUndefined();
    if (decision.action === "follow" || decision.action === "roll-back" || decision.action === "finish-then-deploy")
      expect(decision.deploymentId).toBe("d-ACTIVE");
  });

  it("an unchanged task definition is never released, whatever the group is doing", () => {
    for (const [, facts] of rows) expect(decideRelease(update(7, 7), facts)).toMatchObject({ action: "none" });
  });

  it("Create and Delete look at nothing", () => {
    const { OldResourceProperties: _, ...create } = UPDATE;
    for (const [, facts] of rows) {
      expect(decideRelease({ ...create, RequestType: "Create" }, facts).action).toBe("none");
      expect(decideRelease({ RequestType: "Delete", ResourceProperties: {} }, facts).action).toBe("none");
    }
  });
});
