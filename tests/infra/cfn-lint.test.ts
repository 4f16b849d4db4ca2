import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cfnLintBinary, requirePeers } from "../peers/required";
import { stageTemplates, synthesizedStages } from "./stage-templates";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The one committed configuration: every check it ignores says why. */
const CONFIG = path.join(ROOT, ".cfnlintrc.yaml");

interface Finding {
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Location: { Start: { LineNumber: number } };
}

function cfnLint(files: string[]): Finding[] {
  requirePeers("cfn-lint");
  const result = spawnSync(cfnLintBinary() as string, ["--config-file", CONFIG, "--format", "json", "--", ...files], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  // cfn-lint exits non-zero when it finds something: the JSON on stdout is the answer either way.
  if (!result.stdout.trim().startsWith("[")) throw new Error(`cfn-lint did not answer in JSON: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout) as Finding[];
}

describe("cfn-lint (AWS's CloudFormation linter) on every synthesized stage", () => {
  it("finds nothing in any template, with only the checks .cfnlintrc.yaml explains ignored", () => {
    const files = synthesizedStages().flatMap((stage) => stageTemplates(stage).stacks.map((s) => s.templateFile));
    expect(files.length).toBeGreaterThan(30);
    const findings = cfnLint(files).map(
      (f) => `${f.Rule.Id} ${path.relative(ROOT, f.Filename)}:${f.Location.Start.LineNumber} ${f.Message}`,
    );
    expect(findings).toEqual([]);
    // cfn-lint reads some 60 templates: about 45 s on 2 idle cores, more beside CI's other work.
  }, 240_000);

  it("does report what it is there to catch (a template with a broken reference and an unknown property)", () => {
    const broken = path.join(ROOT, "tests/fixtures/cfn-lint/broken.template.json");
    expect(cfnLint([broken]).map((f) => f.Rule.Id)).toEqual(expect.arrayContaining(["E3012", "E1020"]));
  });
});
