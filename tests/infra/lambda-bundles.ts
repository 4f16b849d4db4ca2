import path from "node:path";
import { stageTemplates } from "./stage-templates";
import { ECS_STAGES } from "./synth-all-stages";

/** The Lambda functions of the synthesized stages, their bundles as `sst deploy` uploads them, and the environment they get. */

import type { Resource } from "../helpers/lambda-bundle-files";

export { bundleOf, environmentOf, type Resource } from "../helpers/lambda-bundle-files";

/**
 * prod's functions, those only non-production stages have (the sleep schedule), from dev, and those only a stage
 * whose releases ECS runs has (its lifecycle hook), from prod with ecs; one per function, not per handler.
 */
export function deployedFunctions(): { fn: Resource; outdir: string; handler: string }[] {
  const withCodeDeploy = functionsOf(["prod", "dev"]);
  const handlers = new Set(withCodeDeploy.map((f) => f.handler));
  return [...withCodeDeploy, ...functionsOf([ECS_STAGES.prod]).filter((f) => !handlers.has(f.handler))];
}

function functionsOf(stages: string[]): { fn: Resource; outdir: string; handler: string }[] {
  return stages.flatMap((stage) => {
    const templates = stageTemplates(stage);
    const outdir = path.dirname(templates.stacks[0]?.templateFile ?? "");
    return templates.stacks.flatMap((stack) =>
      Object.values((templates.json(stack.name.split("-").at(-1) as never).Resources ?? {}) as Record<string, Resource>)
        .filter((r) => r.Type === "AWS::Lambda::Function" && String(r.Properties.Handler).startsWith("functions/"))
        .map((fn) => ({ fn, outdir, handler: String(fn.Properties.Handler) })),
    );
  });
}
