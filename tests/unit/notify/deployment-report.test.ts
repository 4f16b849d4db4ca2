import { CodeDeployClient, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { codeDeployReports } from "@hands-off-ops/core/notify/aws-deployment-report";
import { withDeploymentReport } from "@hands-off-ops/core/notify/deployment-report";
import { ecsAppSpec } from "@hands-off-ops/core/release/appspec";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { deploymentEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

const codeDeploy = mockClient(CodeDeployClient);
afterEach(() => codeDeploy.reset());

const td = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/prod-hands-off-ops-Service-app:${revision}`;
const failure = () => messageOf(deploymentEvent("FAILURE"));
const usersFact = (facts: { label: string; value: string }[]) => facts.find((f) => f.label === "Users")?.value;

describe("a failed release, told from CodeDeploy's own report", () => {
  it("promises nothing before the report is read", () => {
    expect(failure().summary).toBe("CodeDeploy reports the release failed.");
  });

  it("says the report gives no error when it gives none, and that it does not say which version serves users", () => {
    const message = withDeploymentReport(failure(), "us-east-1", {});
    expect(message.summary).not.toMatch(/follows/);
    expect(message.summary).toBe(
      "CodeDeploy reports the release failed. CodeDeploy's report gives no error. It names no rollback deployment and does not say which version serves users.",
    );
    expect(usersFact(message.facts)).toBe(
      "not in CodeDeploy's report (no rollback deployment): the deployment's page shows where traffic is",
    );
  });

  it("says which version CodeDeploy's rollback sends users back to", () => {
    const message = withDeploymentReport(failure(), "us-east-1", {
      error: { code: "ALARM_ACTIVE", message: "Activated alarms: <prod-hands-off-ops-Alb5xxRate>" },
      rollback: { rollbackDeploymentId: "d-ROLLBACK", rollbackMessage: "Automatic rollback triggered by alarm" },
      previousTaskDefinition: td(41),
    });
    expect(message.summary).toBe(
      "CodeDeploy: Activated alarms: <prod-hands-off-ops-Alb5xxRate> CodeDeploy started rollback deployment d-ROLLBACK, which sends users back to the version before this release, prod-hands-off-ops-Service-app:41.",
    );
    expect(usersFact(message.facts)).toBe(
      "sent back to prod-hands-off-ops-Service-app:41 by rollback deployment d-ROLLBACK (CodeDeploy's)",
    );
  });

  it("says so when the report cannot be read, claiming neither an error nor a version", () => {
    const message = withDeploymentReport(failure(), "us-east-1", { unreadable: "AccessDeniedException: no" });
    expect(message.summary).toBe(
      "CodeDeploy reports the release failed. CodeDeploy's report could not be read: neither its error nor which version serves users is known.",
    );
    expect(usersFact(message.facts)).toBe("unknown: CodeDeploy's report could not be read");
  });

  it("reads the version before the release from GetDeployment's previousRevision", async () => {
    const appSpec = (revision: number) => ({
      revisionType: "AppSpecContent" as const,
      appSpecContent: { content: ecsAppSpec({ taskDefinitionArn: td(revision), containerName: "app", containerPort: 8080, hooks: {} }) },
    });
    codeDeploy.on(GetDeploymentCommand, { deploymentId: "d-BAD" }).resolves({
      deploymentInfo: { revision: appSpec(42), previousRevision: appSpec(41), rollbackInfo: { rollbackDeploymentId: "d-ROLLBACK" } },
    });
    await expect(codeDeployReports(new CodeDeployClient({ region: "us-east-1" })).report("d-BAD")).resolves.toEqual({
      rollback: { rollbackDeploymentId: "d-ROLLBACK" },
      previousTaskDefinition: td(41),
    });
  });
});
