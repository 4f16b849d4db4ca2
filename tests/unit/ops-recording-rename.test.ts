import { readFileSync } from "node:fs";
import path from "node:path";
import { ContinueDeploymentCommand, GetDeploymentGroupCommand, StopDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readScenario } from "../../packages/cli/src/ops/replay/scenario";
import { stageSettings } from "../../stacks/config";

/**
 * The console prints what the product's adapters really send: the recording client names each call by the SDK
 * command it is (its client's and command's names), not by a string the console keeps. Here the adapter that
 * stops a release (core/aws/release-stops.ts, which the rollback uses) is swapped for variants that
 * send another command, and the same replay prints that command instead.
 */

const variant = vi.hoisted(() => ({ command: "stop" as "stop" | "continue" | "unknown" }));

vi.mock("../../packages/core/src/aws/release-stops", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../packages/core/src/aws/release-stops")>();
  return {
    ...original,
    stopWithRollback: async (client: import("@aws-sdk/client-codedeploy").CodeDeployClient, deploymentId: string) => {
      if (variant.command === "stop") return original.stopWithRollback(client, deploymentId);
      if (variant.command === "continue")
        await client.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: "READY_WAIT" }));
      else await client.send(new GetDeploymentGroupCommand({ applicationName: "app", deploymentGroupName: "group" }));
      return "stopped" as const;
    },
  };
});

const ROOT = path.resolve(import.meta.dirname, "../..");
let replay: typeof import("../../packages/cli/src/ops/replay/run").replay;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ replay } = await import("../../packages/cli/src/ops/replay/run"));
});

beforeEach(() => {
  variant.command = "stop";
});

async function replayed() {
  const scenario = readScenario(path.join(ROOT, "scenarios/alarm-during-release.json"));
  const event = JSON.parse(readFileSync(path.join(ROOT, scenario.forEvent as string), "utf8"));
  return (await replay({ stage: "dev", settings: stageSettings("dev"), event, scenario })).join("\n");
}

describe("what the console prints of an AWS call", () => {
  it("is the command the adapter sends, named by the SDK", async () => {
    expect(StopDeploymentCommand.name).toBe("StopDeploymentCommand");
    expect(await replayed()).toContain("AWS  CodeDeploy StopDeployment  d-NEWRELEASE with autoRollbackEnabled");
  });

  it("changes when the adapter sends another command", async () => {
    variant.command = "continue";
    const out = await replayed();
    expect(out).not.toContain("CodeDeploy StopDeployment");
    expect(out).toContain("AWS  CodeDeploy ContinueDeployment  d-NEWRELEASE READY_WAIT");
  });

  it("says so when the adapter sends a command the replay cannot answer, and the handler sees the call fail", async () => {
    variant.command = "unknown";
    const out = await replayed();
    expect(out).not.toContain("CodeDeploy StopDeployment");
    expect(out).toContain("AWS  CodeDeploy GetDeploymentGroup  → no answer in the replay");
    // The rollback throws, as in Lambda (which retries the event): the console shows what it threw.
    expect(out).toContain('"threw": "Error: Remediation failed: NoAnswer: the replay has no answer for CodeDeploy GetDeploymentGroup"');
  });
});
