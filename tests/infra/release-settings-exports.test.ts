import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CloudFormationTemplate } from "../../packages/cli/src/synth/synth-stage";
import { synthStage } from "../../packages/cli/src/synth/synth-stage";
import { OVERRIDES_FILE_VARIABLE, stageSettings } from "../../stacks/config";
import { cfnLintBinary, requirePeers } from "../peers/required";
import { stageTemplates } from "./stage-templates";

/**
 * A release setting changed on prod must not change the value of an export another stack imports: CloudFormation
 * refuses to update an export in use ("Fn::ImportValue", restrictions:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html).
 * An export's value changes when its template value changes, or when it names (Ref, GetAtt) a resource that
 * CloudFormation replaces: one whose create-only properties changed, as CloudFormation's resource schemas say
 * (read from cfn-lint's copy of the registry, not from this repository).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const prod = stageSettings("prod").release;
const CHANGES = {
  canaryPercent: { release: { canaryPercent: prod.canaryPercent + 10 } },
  canaryMinutes: { release: { canaryMinutes: prod.canaryMinutes + 10 } },
} as const;

type Templates = Record<string, CloudFormationTemplate>;

async function synthProdWith(overrides: object, name: string): Promise<Templates> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ops-settings-")), "ops.settings.json");
  writeFileSync(file, JSON.stringify({ prod: overrides }));
  const before = process.env[OVERRIDES_FILE_VARIABLE];
  process.env[OVERRIDES_FILE_VARIABLE] = file;
  try {
    const result = await synthStage("prod", { root: ROOT, outdir: path.join(ROOT, ".synth", "test", `prod-${name}`) });
    return Object.fromEntries(result.stacks.map((stack) => [stack.name, stack.template]));
  } finally {
    process.env[OVERRIDES_FILE_VARIABLE] = before;
  }
}

function byStackName(stage: ReturnType<typeof stageTemplates>): Templates {
  return Object.fromEntries(stage.allJson().map(({ name, template }) => [name, template]));
}

/** Every export name some template imports. */
function importedNames(templates: Templates): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "Fn::ImportValue" && typeof value === "string") names.add(value);
        else visit(value);
      }
    }
  };
  visit(templates);
  return names;
}

interface Export {
  value: unknown;
  stack: string;
}

function exportsByName(templates: Templates): Map<string, Export> {
  const found = new Map<string, Export>();
  for (const [stack, template] of Object.entries(templates)) {
    const outputs = (template.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
    for (const output of Object.values(outputs))
      if (output.Export && typeof output.Export.Name === "string") found.set(output.Export.Name, { value: output.Value, stack });
  }
  return found;
}

/** Logical ids an export's value names through Ref or Fn::GetAtt. */
function referencedResources(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedResources);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === "Ref" && typeof inner === "string" && !inner.startsWith("AWS::")) return [inner];
    if (key === "Fn::GetAtt") return [Array.isArray(inner) ? String(inner[0]) : (String(inner).split(".")[0] ?? "")];
    return referencedResources(inner);
  });
}

/** CloudFormation's create-only property paths per resource type, from cfn-lint's registry schemas. */
function createOnlyProperties(types: string[]): Record<string, string[]> {
  requirePeers("cfn-lint");
  // The interpreter that runs cfn-lint (a pyenv shim sits beside it), so that its package imports.
  const shim = path.join(path.dirname(cfnLintBinary() as string), "python3");
  const python = readdirSync(path.dirname(shim)).includes("python3") ? shim : "python3";
  const script = [
    "import json, sys",
    "from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m",
    'print(json.dumps({t: m.get_resource_schema("us-east-1", t).schema.get("createOnlyProperties", []) for t in sys.argv[1:]}))',
  ].join("\n");
  return JSON.parse(execFileSync(python, ["-c", script, ...types], { encoding: "utf8" })) as Record<string, string[]>;
}

function at(properties: unknown, pointer: string): unknown {
  return pointer
    .replace(/^\/properties\//, "")
    .split("/")
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), properties);
}

/** Imported exports whose value differs between two syntheses of the same stage, with the reason. */
function changedImportedExports(before: Templates, after: Templates): string[] {
  const [old, next] = [exportsByName(before), exportsByName(after)];
  const imported = new Set([...importedNames(before), ...importedNames(after)]);
  const resourceOf = (templates: Templates, stack: string, id: string) => templates[stack]?.Resources?.[id];
  const types = [...imported].flatMap((name) => {
    const exported = old.get(name);
    if (!exported) return [];
    return referencedResources(exported.value).flatMap((id) => resourceOf(before, exported.stack, id)?.Type ?? []);
  });
  const createOnly = createOnlyProperties([...new Set(types)]);
  const changes: string[] = [];
  for (const name of imported) {
    const [was, is] = [old.get(name), next.get(name)];
    if (!was || !is) {
      changes.push(`${name}: ${was ? "no longer exported" : "not exported before"}`);
      continue;
    }
    if (JSON.stringify(was.value) !== JSON.stringify(is.value)) changes.push(`${name}: its value is written differently`);
    for (const id of referencedResources(was.value)) {
      const [a, b] = [resourceOf(before, was.stack, id), resourceOf(after, is.stack, id)];
      if (!a || !b) continue;
      for (const pointer of createOnly[a.Type] ?? [])
        if (JSON.stringify(at(a.Properties, pointer)) !== JSON.stringify(at(b.Properties, pointer)))
          changes.push(`${name}: ${id} (${a.Type}) is replaced, its create-only ${pointer} changed`);
    }
  }
  return changes;
}

describe("a release setting changed on prod leaves every imported export as it was", () => {
  const current = byStackName(stageTemplates("prod"));
  const changed: Partial<Record<keyof typeof CHANGES, Templates>> = {};

  beforeAll(async () => {
    for (const [setting, overrides] of Object.entries(CHANGES))
      changed[setting as keyof typeof CHANGES] = await synthProdWith(overrides, setting);
  }, 300_000);

  it.each(Object.keys(CHANGES) as (keyof typeof CHANGES)[])("a new %s replaces the canary config under a new name", (setting) => {
    const configs = (templates: Templates) =>
      Object.values(templates).flatMap((t) =>
        Object.values(t.Resources ?? {})
          .filter((r) => r.Type === "AWS::CodeDeploy::DeploymentConfig")
          .map((r) => r.Properties?.DeploymentConfigName),
      );
    const [before, after] = [configs(current), configs(changed[setting] as Templates)];
    expect(before).toHaveLength(1);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toEqual(before[0]);
  });

  it.each(Object.keys(CHANGES) as (keyof typeof CHANGES)[])("a new %s changes no export another stack imports", (setting) => {
    expect(importedNames(current).size).toBeGreaterThan(0);
    expect(changedImportedExports(current, changed[setting] as Templates)).toEqual([]);
  });

  it("would see an export that names the replaced config (the check is not blind to replacement)", () => {
    const after = changed.canaryPercent as Templates;
    const stack = Object.keys(current).find((name) => name.endsWith("-Service")) as string;
    const configId = Object.entries(current[stack]?.Resources ?? {}).find(([, r]) => r.Type === "AWS::CodeDeploy::DeploymentConfig")?.[0];
    const withExport = (templates: Templates): Templates => ({
      ...templates,
      [stack]: {
        ...templates[stack],
        Outputs: {
          ...(templates[stack]?.Outputs as Record<string, unknown> | undefined),
          ConfigName: { Value: { Ref: configId }, Export: { Name: "config-name" } },
        },
      },
      consumer: { Resources: { Topic: { Type: "AWS::SNS::Topic", Properties: { TopicName: { "Fn::ImportValue": "config-name" } } } } },
    });
    expect(changedImportedExports(withExport(current), withExport(after))).toEqual([
      `config-name: ${configId} (AWS::CodeDeploy::DeploymentConfig) is replaced, its create-only /properties/DeploymentConfigName changed`,
      `config-name: ${configId} (AWS::CodeDeploy::DeploymentConfig) is replaced, its create-only /properties/TrafficRoutingConfig changed`,
    ]);
  });
});
