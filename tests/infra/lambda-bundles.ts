import path from "node:path";
import { stageTemplates } from "./stage-templates";

/** The Lambda functions of the synthesized stages, their bundles as `sst deploy` uploads them, and the environment they get. */

import type { Resource } from "../lambda-bundle-files";

export { bundleOf, environmentOf, type Resource } from "../lambda-bundle-files";

/** prod's functions, and those only non-production stages have (the sleep schedule), from dev; one per function, not per handler. */
export function deployedFunctions(): { fn: Resource; outdir: string; handler: string }[] {
  return ["prod", "dev"].flatMap((stage) => {
    const templates = stageTemplates(stage);
    const outdir = path.dirname(templates.stacks[0]?.templateFile ?? "");
    return templates.stacks.flatMap((stack) =>
      Object.values((templates.json(stack.name.split("-").at(-1) as never).Resources ?? {}) as Record<string, Resource>)
        .filter((r) => r.Type === "AWS::Lambda::Function" && String(r.Properties.Handler).startsWith("functions/"))
        .map((fn) => ({ fn, outdir, handler: String(fn.Properties.Handler) })),
    );
  });
}
