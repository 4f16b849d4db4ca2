import { readFileSync } from "node:fs";
import { Template } from "aws-cdk-lib/assertions";
import { inject } from "vitest";
import type { CloudFormationTemplate } from "../../packages/cli/src/synth/synth-stage";

export type StackName = "Network" | "Database" | "Service" | "Firewall" | "Observability" | "Automation";

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
    json: (stack: StackName) => JSON.parse(readFileSync(stackFor(stack).templateFile, "utf8")) as CloudFormationTemplate,
    template: (stack: StackName) => Template.fromJSON(JSON.parse(readFileSync(stackFor(stack).templateFile, "utf8"))),
    allJson: () =>
      synthesized.stacks.map((s) => ({
        name: s.name,
        template: JSON.parse(readFileSync(s.templateFile, "utf8")) as CloudFormationTemplate,
      })),
  };
}
