import { CodeDeployClient, GetDeploymentCommand, StopDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { Recorder } from "../../packages/cli/src/ops/replay/recorder";
import { Answers, NoAnswer, OFFLINE, recordingClient } from "../../packages/cli/src/ops/replay/recording";

/** The console's recording SDK clients: each call written down by the SDK's own names, answered from the replay's answers. */

describe("a recording SDK client", () => {
  it("writes the call down as the SDK names it, and answers from the answers instead of sending", async () => {
    const recorder = new Recorder();
    const seen: unknown[] = [];
    const answers = new Answers().set(
      StopDeploymentCommand,
      (input) => {
        seen.push(input);
        return { status: "Pending" as const, statusMessage: "stopping" };
      },
      (input) => `${input.deploymentId}${input.autoRollbackEnabled ? " with autoRollbackEnabled" : ""}`,
    );
    const client = recordingClient(new CodeDeployClient(OFFLINE), answers, recorder);
    const output = await client.send(new StopDeploymentCommand({ deploymentId: "d-ABC", autoRollbackEnabled: true }));
    expect(output.status).toBe("Pending");
    expect(seen).toEqual([{ deploymentId: "d-ABC", autoRollbackEnabled: true }]);
    expect(recorder.lines()).toEqual(["AWS  CodeDeploy StopDeployment  d-ABC with autoRollbackEnabled"]);
  });

  it("fails a call it has no answer for with NoAnswer, and writes it down as unanswered", async () => {
    const recorder = new Recorder();
    const client = recordingClient(new CodeDeployClient(OFFLINE), new Answers(), recorder);
    const call = client.send(new GetDeploymentCommand({ deploymentId: "d-ABC" }));
    await expect(call).rejects.toBeInstanceOf(NoAnswer);
    await expect(client.send(new GetDeploymentCommand({ deploymentId: "d-ABC" }))).rejects.toThrow(
      "the replay has no answer for CodeDeploy GetDeployment",
    );
    expect(recorder.lines()).toEqual(["AWS  CodeDeploy GetDeployment  → no answer in the replay  (×2)"]);
  });

  it("sees the document client's calls as DynamoDB receives them (marshalled), and unmarshalls its answer", async () => {
    const recorder = new Recorder();
    const answers = new Answers().set(
      (await import("@aws-sdk/client-dynamodb")).GetItemCommand,
      (input) => ({ Item: { pk: input.Key?.pk ?? { S: "?" }, count: { N: "3" } } }),
      (input) => `${input.TableName} ${input.Key?.pk?.S}`,
    );
    const documents = DynamoDBDocumentClient.from(recordingClient(new DynamoDBClient(OFFLINE), answers, recorder));
    const { Item } = await documents.send(new GetCommand({ TableName: "t", Key: { pk: "a" } }));
    expect(Item).toEqual({ pk: "a", count: 3 });
    expect(recorder.lines()).toEqual(["AWS  DynamoDB GetItem  t a"]);
  });
});
