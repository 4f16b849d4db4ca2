import { describe, expect, it } from "vitest";
import { WILDCARD_ONLY_ACTIONS } from "../../stacks/wildcard-actions";
import { type StackName, stageTemplates } from "./stage-templates";
import { CUSTOMIZED_STAGE, STAGES_UNDER_TEST } from "./synth-all-stages";

const STACKS: StackName[] = ["Network", "Database", "Service", "Firewall", "Observability", "Automation"];

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

function policyStatements(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) {
  const found: { resource: string; statement: Statement }[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const documents: unknown[] = [];
    if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy")
      documents.push(resource.Properties?.PolicyDocument);
    if (resource.Type === "AWS::IAM::Role") {
      for (const inline of (resource.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
        documents.push(inline.PolicyDocument);
    }
    for (const document of documents) {
      for (const statement of (document as { Statement: Statement[] }).Statement) found.push({ resource: logicalId, statement });
    }
  }
  return found;
}

describe.each([...STAGES_UNDER_TEST, CUSTOMIZED_STAGE])("stage %s", (stage) => {
  const templates = stageTemplates(stage);

  it("synthesizes every stack, named after the stage", () => {
    expect(templates.stacks.map((s) => s.name).sort()).toEqual(STACKS.map((s) => `${stage}-hands-off-ops-${s}`).sort());
  });

  it("breaks no cdk-nag AwsSolutions rule without a written reason", () => {
    const findings = templates.stacks.flatMap((s) => s.nag);
    expect(findings.filter((f) => f.compliance === "Non-Compliant")).toEqual([]);
    for (const suppressed of findings) {
      // A reason is a sentence a reviewer can check, not "N/A" or a rule id.
      expect(suppressed.reason, `${suppressed.rule} on ${suppressed.resource}`).not.toBe("N/A");
      expect(suppressed.reason?.length, `${suppressed.rule} on ${suppressed.resource}`).toBeGreaterThanOrEqual(40);
    }
  });

  it("grants no IAM action '*' and no resource '*' where the action can be scoped", () => {
    const allowed = templates.allJson().flatMap(({ name, template }) =>
      policyStatements(template)
        .filter(({ statement }) => statement.Effect === "Allow")
        .map((found) => ({ ...found, stack: name })),
    );
    expect(allowed.length).toBeGreaterThan(5);
    const offending = allowed.flatMap(({ stack: name, resource, statement }) => {
      const actions = [statement.Action ?? []].flat();
      const resources = [statement.Resource ?? []].flat();
      const problems: string[] = [];
      if (actions.some((a) => a === "*" || a.endsWith(":*"))) problems.push(`${name}/${resource}: action wildcard ${actions.join(",")}`);
      if (resources.includes("*") && actions.some((a) => !(a in WILDCARD_ONLY_ACTIONS)))
        problems.push(`${name}/${resource}: Resource "*" for ${actions.join(",")}`);
      return problems;
    });
    expect(offending).toEqual([]);
  });

  it("puts no credential in a plain environment variable", () => {
    const service = templates.json("Service");
    const containers = Object.values(service.Resources ?? {})
      .filter((r) => r.Type === "AWS::ECS::TaskDefinition")
      .flatMap(
        (r) => r.Properties?.ContainerDefinitions as { Environment?: { Name: string; Value: unknown }[]; Secrets?: { Name: string }[] }[],
      );
    expect(containers.length).toBeGreaterThan(0);
    for (const container of containers) {
      const environment = container.Environment ?? [];
      // A secret's ARN names where the credential is (PGSECRET_ARN: the service reads it with its task role), not the credential.
      const named = environment.filter((e) => /PASSWORD|SECRET|TOKEN|PGUSER/.test(e.Name));
      expect(named.filter((e) => !e.Name.endsWith("_ARN")).map((e) => e.Name)).toEqual([]);
      for (const reference of named) expect(JSON.stringify(reference.Value), reference.Name).toMatch(/SecretArn|secretsmanager/);
      expect((container.Secrets ?? []).map((s) => s.Name).sort()).toEqual(["PGPASSWORD", "PGUSER"]);
    }
  });
});
