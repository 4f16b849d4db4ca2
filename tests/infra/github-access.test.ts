import { readFileSync } from "node:fs";
import path from "node:path";
import { DeployAccessSchema } from "@hands-off-ops/core/settings/deploy-access";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { WILDCARD_ONLY_ACTIONS } from "../../stacks/wildcard-actions";
import { stageTemplates } from "./stage-templates";
import { ACCESS_STAGES } from "./synth-all-stages";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
/** The session the deploy workflow asks for (configure-aws-credentials' role-duration-seconds). */
type WorkflowStep = { uses?: string; with?: Record<string, unknown> };
const deploySteps = (
  parse(readFileSync(path.resolve(import.meta.dirname, "../../.github/workflows/deploy-stage.yml"), "utf8")) as {
    jobs: { deploy: { steps: WorkflowStep[] } };
  }
).jobs.deploy.steps;
const WORKFLOW_SESSION_SECONDS = Number(
  deploySteps.find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-duration-seconds"],
);
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

const resourcesOf = (name: keyof typeof ACCESS_STAGES) =>
  Object.values(stageTemplates(name).json("GitHubAccess").Resources as Record<string, Resource>);
const rolesOf = (name: keyof typeof ACCESS_STAGES) =>
  resourcesOf(name).filter((r) => r.Type === "AWS::IAM::Role" && String(r.Properties.RoleName ?? "").startsWith("hands-off-ops-deploy-"));
const statementsOf = (name: keyof typeof ACCESS_STAGES, roleName: string): Statement[] => {
  const [logicalId] =
    Object.entries(stageTemplates(name).json("GitHubAccess").Resources as Record<string, Resource>).find(
      ([, r]) => r.Type === "AWS::IAM::Role" && r.Properties.RoleName === roleName,
    ) ?? [];
  return resourcesOf(name)
    .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === logicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

describe("GitHub deploy access", () => {
  it("creates the GitHub OIDC provider for sts.amazonaws.com, or uses the account's existing one", () => {
    const providers = resourcesOf("github-access (non-prod)").filter((r) => r.Type === "AWS::IAM::OIDCProvider");
    expect(providers.map((p) => p.Properties)).toEqual([
      expect.objectContaining({ Url: "https://token.actions.githubusercontent.com", ClientIdList: ["sts.amazonaws.com"] }),
    ]);
    expect(resourcesOf("github-access (prod)").filter((r) => r.Type === "AWS::IAM::OIDCProvider")).toEqual([]);
  });

  it.each([
    ["github-access (non-prod)", ["dev", "preview", "staging"]],
    ["github-access (prod)", ["prod"]],
  ] as const)("%s: one role per stage of that account, trusted only for this repository's environment of that name", (name, stages) => {
    const roles = rolesOf(name);
    expect(roles.map((r) => r.Properties.RoleName).sort()).toEqual(stages.map((stage) => `hands-off-ops-deploy-${stage}`));
    for (const role of roles) {
      const stage = String(role.Properties.RoleName).replace("hands-off-ops-deploy-", "");
      const [trust, ...others] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(others).toEqual([]);
      expect(trust.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(trust.Condition).toEqual({
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:acme/hands-off-ops:environment:${stage}`,
        },
      });
      // Long enough for the workflow's session (role-duration-seconds), which outlasts the longest deploy
      // (tests/unit/workflows.test.ts); at most IAM's 12 hours (IAM API Reference, CreateRole MaxSessionDuration).
      expect(role.Properties.MaxSessionDuration).toBeGreaterThanOrEqual(WORKFLOW_SESSION_SECONDS);
      expect(role.Properties.MaxSessionDuration).toBeLessThanOrEqual(43_200);
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
    const prodTrust = JSON.stringify(rolesOf("github-access (prod)")[0]?.Properties.AssumeRolePolicyDocument);
    expect(prodTrust).toContain("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
  });

  it.each(["github-access (non-prod)", "github-access (prod)"] as const)(
    "%s: no wildcard action, no admin, every resource bound to the account",
    (name) => {
      for (const role of rolesOf(name)) {
        const statements = statementsOf(name, role.Properties.RoleName);
        expect(statements.length).toBeGreaterThan(3);
        for (const statement of statements) {
          expect(statement.Effect).toBe("Allow");
          for (const action of [statement.Action].flat()) expect(action, statement.Sid).not.toMatch(/\*/);
          // "*" only for actions that have no resource type (stacks/wildcard-actions.ts).
          if ([statement.Resource].flat().includes("*"))
            for (const action of [statement.Action].flat()) expect(Object.keys(WILDCARD_ONLY_ACTIONS), statement.Sid).toContain(action);
        }
      }
    },
  );

  it("lets each role assume only the CDK bootstrap roles, and touch only its own stage's stacks, deployment group and schedule", () => {
    const dev = statementsOf("github-access (non-prod)", "hands-off-ops-deploy-dev");
    const sid = (id: string) => JSON.stringify(dev.find((s) => s.Sid === id)?.Resource);
    const assumed = [dev.find((s) => s.Sid === "AssumeCdkBootstrapRoles")?.Resource].flat().map((r) => JSON.stringify(r));
    expect(assumed.map((r) => /:role\/cdk-hnb659fds-([a-z-]+)-role-/.exec(r)?.[1])).toEqual([
      "deploy",
      "file-publishing",
      "image-publishing",
    ]);
    expect(sid("CreateAndUpdateOwnStacksThroughTheExecutionRole")).toContain(":stack/dev-hands-off-ops-*/*");
    expect(sid("DeleteOwnStacks")).toContain(":stack/dev-hands-off-ops-*/*");
    expect(sid("SmokeTheStageFromInsideItsVpc")).toContain(':function:dev-hands-off-ops-deploy-smoke"');
    expect(sid("ReadStacksAndOutputs")).toContain(":stack/dev-hands-off-ops-*/*");
    expect(sid("ReportTheRelease")).toContain(":deploymentgroup:dev-hands-off-ops-Service/*");
    expect(sid("KeepTheStageAwakeWhileDeploying")).toContain(':function:dev-hands-off-ops-schedule"');
    const preview = statementsOf("github-access (non-prod)", "hands-off-ops-deploy-preview");
    expect(JSON.stringify(preview)).toContain(":stack/pr-*-hands-off-ops-*/*");
    expect(JSON.stringify(preview)).not.toContain("dev-hands-off-ops");
    // prod never sleeps: its role cannot call the schedule function.
    expect(statementsOf("github-access (prod)", "hands-off-ops-deploy-prod").map((s) => s.Sid)).not.toContain(
      "KeepTheStageAwakeWhileDeploying",
    );
  });

  it("lets the preview role read the dev network's parameters its templates name, and no other role any", () => {
    // CloudFormation reads AWS::SSM::Parameter::Value parameters for the caller of CreateStack/UpdateStack.
    const named = stageTemplates("pr-123")
      .allJson()
      .flatMap(({ template }) => Object.values((template.Parameters ?? {}) as Record<string, { Type: string; Default?: string }>))
      .filter((parameter) => parameter.Type.startsWith("AWS::SSM::Parameter::Value<"))
      .map((parameter) => parameter.Default ?? "")
      // CDK's own BootstrapVersion parameter, which ReadSstAndCdkBootstrap grants every role.
      .filter((name) => name !== "/cdk-bootstrap/hnb659fds/version");
    expect(named.length).toBeGreaterThan(0);
    const reads = statementsOf("github-access (non-prod)", "hands-off-ops-deploy-preview").filter((s) => s.Sid === "ReadSharedNetwork");
    expect(reads.flatMap((s) => [s.Action].flat())).toEqual(["ssm:GetParameters"]);
    const granted = reads.map((s) => JSON.stringify(s.Resource));
    expect(granted).toHaveLength(1);
    const grantedPath = /:parameter(\/[^"]*)\*"/.exec(granted[0] ?? "")?.[1];
    expect(grantedPath).toBe("/hands-off-ops/dev/network/");
    for (const name of named) expect(name.startsWith(grantedPath ?? "?"), name).toBe(true);
    for (const [access, role] of [
      ["github-access (non-prod)", "hands-off-ops-deploy-dev"],
      ["github-access (non-prod)", "hands-off-ops-deploy-staging"],
      ["github-access (prod)", "hands-off-ops-deploy-prod"],
    ] as const)
      expect(statementsOf(access, role).map((s) => s.Sid)).not.toContain("ReadSharedNetwork");
  });

  it("scans every image pushed to ECR in the account", () => {
    const scanning = resourcesOf("github-access (prod)").find((r) => r.Type === "AWS::ECR::RegistryScanningConfiguration");
    expect(scanning?.Properties).toEqual({
      ScanType: "BASIC",
      Rules: [{ ScanFrequency: "SCAN_ON_PUSH", RepositoryFilters: [{ Filter: "*", FilterType: "WILDCARD" }] }],
    });
  });

  it("has no cdk-nag finding left without a written reason", () => {
    for (const name of Object.keys(ACCESS_STAGES) as (keyof typeof ACCESS_STAGES)[]) {
      const errors = stageTemplates(name).stacks.flatMap((stack) => stack.nag.filter((finding) => finding.compliance === "Non-Compliant"));
      expect(errors).toEqual([]);
    }
  });
});

describe("the github-access settings", () => {
  it.each([
    [{ repository: "acme", stages: ["dev"] }, "repository: must be owner/name"],
    [{ repository: "acme/ops", stages: [] }, "stages: Too small"],
    [{ repository: "acme/ops", stages: ["qa"] }, "stages.0: Invalid option"],
    [{ repository: "acme/ops", stages: ["dev", "dev"] }, "stages: names a stage twice"],
    [{ repository: "acme/ops", stages: ["prod", "preview"] }, "stages: prod and preview must not share an account"],
    [
      { repository: "acme/ops", stages: ["dev"], existingProviderArn: "arn:aws:iam::1:role/x" },
      "existingProviderArn: must be the ARN of the GitHub OIDC provider",
    ],
  ])("refuses %j", (entry, message) => {
    const parsed = DeployAccessSchema.safeParse(entry);
    expect(parsed.success).toBe(false);
    const issues = parsed.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("\n");
    expect(issues).toContain(message);
  });
});
