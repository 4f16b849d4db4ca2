import { type StageTemplates, TemplateResolver } from "../deployed/template-arns";

export interface ResolvedStatement {
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface RolePolicies {
  stack: string;
  /** Logical id of the AWS::IAM::Role. */
  role: string;
  /** The role's ARN as deployed. */
  roleArn: string;
  /** Where each statement comes from, for messages: stack/logical id of the policy. */
  statements: { source: string; statement: ResolvedStatement }[];
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
type RawStatement = {
  Effect: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
};

/** Every IAM role of a stage with the identity-policy statements attached to it, expressions resolved. */
export function rolePolicies(stage: StageTemplates): RolePolicies[] {
  const resolver = new TemplateResolver(stage);
  const roles = new Map<string, RolePolicies>();
  const key = (stack: string, role: string) => `${stack}/${role}`;

  for (const { name: stack, template } of stage.stacks) {
    const resources = Object.entries((template.Resources ?? {}) as Record<string, Resource>);
    for (const [logicalId, resource] of resources) {
      if (resource.Type !== "AWS::IAM::Role") continue;
      const inline = ((resource.Properties?.Policies ?? []) as { PolicyDocument: { Statement: RawStatement[] } }[]).flatMap((p) =>
        p.PolicyDocument.Statement.map((s) => ({ source: `${stack}/${logicalId}`, statement: resolveStatement(resolver, stack, s) })),
      );
      roles.set(key(stack, logicalId), {
        stack,
        role: logicalId,
        roleArn: resolver.resolve(stack, { "Fn::GetAtt": [logicalId, "Arn"] }),
        // AWS managed policies (ManagedPolicyArns) are AWS's content, not in the template: only the app's own are checked.
        statements: inline,
      });
    }
    for (const [logicalId, resource] of resources) {
      if (resource.Type !== "AWS::IAM::Policy" && resource.Type !== "AWS::IAM::ManagedPolicy") continue;
      const document = resource.Properties?.PolicyDocument as { Statement: RawStatement[] };
      const statements = document.Statement.map((s) => ({
        source: `${stack}/${logicalId}`,
        statement: resolveStatement(resolver, stack, s),
      }));
      for (const roleRef of (resource.Properties?.Roles ?? []) as { Ref?: string }[]) {
        if (!roleRef.Ref) throw new Error(`${stack}/${logicalId} attaches to a role by ${JSON.stringify(roleRef)}`);
        const role = roles.get(key(stack, roleRef.Ref));
        if (!role) throw new Error(`${stack}/${logicalId} attaches to ${roleRef.Ref}, not a role of ${stack}`);
        role.statements.push(...statements);
      }
    }
  }
  return [...roles.values()];
}

function resolveStatement(resolver: TemplateResolver, stack: string, statement: RawStatement): ResolvedStatement {
  // The checks below read Action and Resource: a NotAction/NotResource statement would slip past them.
  if (statement.NotAction || statement.NotResource) throw new Error(`${stack}: a NotAction/NotResource statement needs its own check`);
  const list = (value: unknown) => [value ?? []].flat().map((item) => resolver.resolve(stack, item));
  return {
    Effect: statement.Effect as "Allow" | "Deny",
    Action: list(statement.Action),
    Resource: list(statement.Resource),
    ...(statement.Condition
      ? { Condition: JSON.parse(JSON.stringify(statement.Condition, (_, v) => (isExpression(v) ? resolver.resolve(stack, v) : v))) }
      : {}),
  };
}

function isExpression(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === "Ref" || key.startsWith("Fn::"));
}
