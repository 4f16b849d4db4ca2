import { describe, expect, it } from "vitest";
import { rolePolicies } from "./iam/role-policies";
import { deployedStage, stageTemplates } from "./stage-templates";
import { SMOKE_TOKEN_SECRET, WEB_AND_WORKER_STAGE } from "./synth-all-stages";

// A smoke check's header from Secrets Manager (canary.smoke[].headers): named in the settings, read by the functions
// that run the checks, by name. Secrets Manager appends six random characters to a secret's ARN, so a grant by name
// ends in "-??????" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
type Resource = { Type: string; Properties: Record<string, unknown> };

/** Each function's handler (and name where it has one), by the logical id of its role. */
function functionsByRole(stage: string) {
  const byRole = new Map<string, string>();
  for (const { template } of stageTemplates(stage).allJson())
    for (const r of Object.values((template.Resources ?? {}) as Record<string, Resource>)) {
      if (r.Type !== "AWS::Lambda::Function") continue;
      const role = (r.Properties.Role as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"]?.[0];
      if (role)
        byRole.set(
          role,
          `${String(r.Properties.Handler)}${r.Properties.FunctionName ? ` ${JSON.stringify(r.Properties.FunctionName)}` : ""}`,
        );
    }
  return byRole;
}

function readersOf(stage: string, secretName: string) {
  const deployed = deployedStage(stage);
  const arn = `arn:aws:secretsmanager:${deployed.region}:${deployed.account}:secret:${secretName}-??????`;
  const byRole = functionsByRole(stage);
  return rolePolicies(deployed)
    .filter(({ statements }) =>
      statements.some(({ statement: s }) => s.Action.includes("secretsmanager:GetSecretValue") && s.Resource.includes(arn)),
    )
    .map(({ role }) => byRole.get(role) ?? role)
    .sort();
}

describe(`smoke checks with a header from Secrets Manager (${WEB_AND_WORKER_STAGE})`, () => {
  it("lets exactly the functions that run smoke checks read the secret, by its name", () => {
    const readers = readersOf(WEB_AND_WORKER_STAGE, SMOKE_TOKEN_SECRET);
    expect(readers.map((r) => r.split(" ")[0])).toEqual([
      "functions/canary-hook.handler",
      "functions/canary-hook.handler",
      "functions/deploy-smoke.handler",
    ]);
    expect(readers.join("\n")).toMatch(/CodeDeployHook_prod-AfterAllowTestTraffic/);
    expect(readers.join("\n")).toMatch(/CodeDeployHook_prod-AfterAllowTraffic/);
  });

  it("puts the secret's name in the hooks' settings, never a value", () => {
    const hooks = stageTemplates(WEB_AND_WORKER_STAGE)
      .allJson()
      .flatMap(({ template }) => Object.values((template.Resources ?? {}) as Record<string, Resource>))
      .filter((r) => r.Type === "AWS::Lambda::Function" && String(r.Properties.Handler) === "functions/canary-hook.handler");
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) {
      const variables = (hook.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const smoke = JSON.parse(variables.CANARY_SETTINGS as string).smoke as { name: string; headers: unknown }[];
      expect(smoke.find((check) => check.name === "signed in")?.headers).toEqual({
        authorization: { secret: SMOKE_TOKEN_SECRET, prefix: "Bearer " },
      });
      expect(variables.CANARY_SETTINGS).not.toMatch(/"readyPath":"\/ready"/);
    }
  });

  it("grants no secret to anyone on the sample's prod, whose checks send no header", () => {
    const statements = rolePolicies(deployedStage("prod")).flatMap(({ statements }) => statements.map((s) => s.statement));
    const smokeReads = statements.filter(
      (s) => s.Action.includes("secretsmanager:GetSecretValue") && s.Resource.some((arn) => arn.includes("echo-smoke-token")),
    );
    expect(smokeReads).toEqual([]);
  });
});
