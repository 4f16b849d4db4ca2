import { readFileSync } from "node:fs";
import { Template } from "aws-cdk-lib/assertions";
import { inject } from "vitest";
import type { CloudFormationTemplate } from "../../packages/cli/src/synth/synth-stage";
import { DEFAULT_REGION } from "../../stacks/config";
import type { StageTemplates } from "./deployed/template-arns";

export type StackName = "Network" | "Database" | "Service" | "Firewall" | "Observability" | "Automation" | "GitHubAccess";

const parsed = new Map<string, CloudFormationTemplate>();
/** Each template file is read and parsed once per test file, however many assertions look at it. */
function readTemplate(file: string): CloudFormationTemplate {
  let template = parsed.get(file);
  if (!template) {
    template = JSON.parse(readFileSync(file, "utf8")) as CloudFormationTemplate;
    parsed.set(file, template);
  }
  return template;
}

/** Templates of a stage synthesized by the global setup, by SST stack name. */
export function stageTemplates(stage: string) {
  const synthesized = inject("synthesized")[stage];
  if (!synthesized) throw new Error(`Stage ${stage} was not synthesized by tests/infra/synth-all-stages.ts`);
  const stackFor = (stack: StackName) => {
    const found = synthesized.stacks.find((s) => s.name.endsWith(`-${stack}`));
    if (!found) throw new Error(`Stage ${stage} has no ${stack} stack`);
    return found;
  };
  return {
    stacks: synthesized.stacks,
    json: (stack: StackName) => readTemplate(stackFor(stack).templateFile),
    template: (stack: StackName) => Template.fromJSON(readTemplate(stackFor(stack).templateFile)),
    allJson: () => synthesized.stacks.map((s) => ({ name: s.name, template: readTemplate(s.templateFile) })),
  };
}

/** Every stage (or deploy-access set-up) the global setup synthesized. */
export function synthesizedStages(): string[] {
  return Object.keys(inject("synthesized"));
}

/** A stage's templates as deployed to `account` (the synth writes a placeholder account). */
export function deployedStage(stage: string, account = "111111111111"): StageTemplates {
  return { stage, account, region: DEFAULT_REGION, stacks: stageTemplates(stage).allJson() };
}
