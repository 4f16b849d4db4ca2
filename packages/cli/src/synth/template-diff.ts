import { fullDiff, ResourceImpact } from "@aws-cdk/cloudformation-diff";
import type { CloudFormationTemplate } from "./synth-stage";

/** Resources that hold data: replacing or removing one loses it (a new, empty one takes its place). */
const STATEFUL = new Set([
  "AWS::RDS::DBInstance",
  "AWS::RDS::DBCluster",
  "AWS::DynamoDB::Table",
  "AWS::DynamoDB::GlobalTable",
  "AWS::S3::Bucket",
  "AWS::Logs::LogGroup",
  "AWS::KMS::Key",
  "AWS::SecretsManager::Secret",
  "AWS::EFS::FileSystem",
]);

export interface ResourceChange {
  logicalId: string;
  type: string;
  change: "added" | "removed" | "modified";
  /** For a modification: CloudFormation replaces the resource (a new physical one), may replace it, or updates it in place. */
  replacement: "yes" | "maybe" | "no";
  /** The properties that differ, for a modification. */
  properties: string[];
  stateful: boolean;
  /** A listener rule ECS shifts traffic with (release.controller "ecs"): updating it resets ECS's weights. */
  shiftedByEcs: boolean;
}

export interface StackChanges {
  /** SST stack id, e.g. Database. */
  stack: string;
  resources: ResourceChange[];
  /** IAM statements added (+) or removed (-), as rows: change, resource, effect, action, principal, condition. */
  iamStatements: string[][];
}

export interface NamedTemplate {
  /** CloudFormation stack name, e.g. prod-hands-off-ops-Database. */
  name: string;
  template: CloudFormationTemplate;
}

const stackId = (name: string) => name.split("-").at(-1) ?? name;

/**
 * What deploying `head` over `base` changes, stack by stack, by AWS's own template diff (@aws-cdk/cloudformation-diff,
 * the library behind `cdk diff`): it knows, from the CloudFormation resource specification, which property changes
 * replace a resource.
 */
export function diffStacks(base: readonly NamedTemplate[], head: readonly NamedTemplate[]): StackChanges[] {
  const ids = [...new Set([...base, ...head].map((s) => stackId(s.name)))];
  return ids.flatMap((id) => {
    const before = base.find((s) => stackId(s.name) === id)?.template ?? {};
    const after = head.find((s) => stackId(s.name) === id)?.template ?? {};
    const diff = fullDiff(before, after);
    const shifted = new Set([...rulesEcsShifts(before), ...rulesEcsShifts(after)]);
    const resources: ResourceChange[] = [];
    diff.resources.forEachDifference((logicalId, change) => {
      if (!change.isDifferent) return;
      const type = change.newResourceType ?? change.oldResourceType ?? "unknown";
      const impact = change.changeImpact;
      resources.push({
        logicalId,
        type,
        change: change.isAddition ? "added" : change.isRemoval ? "removed" : "modified",
        replacement: impact === ResourceImpact.WILL_REPLACE ? "yes" : impact === ResourceImpact.MAY_REPLACE ? "maybe" : "no",
        properties: change.isUpdate ? Object.keys(change.propertyUpdates).sort() : [],
        stateful: STATEFUL.has(type),
        shiftedByEcs: shifted.has(logicalId),
      });
    });
    const iamStatements = diff.iamChanges.hasChanges ? diff.iamChanges.summarizeStatements().slice(1) : [];
    return resources.length > 0 || iamStatements.length > 0 ? [{ stack: id, resources, iamStatements }] : [];
  });
}

/** The logical ids of the listener rules an ECS service names in its load balancers' advanced configuration. */
function rulesEcsShifts(template: CloudFormationTemplate): string[] {
  type Balanced = { AdvancedConfiguration?: Record<string, { Ref?: string } | undefined> };
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === "AWS::ECS::Service")
    .flatMap((r) => (r.Properties as { LoadBalancers?: Balanced[] } | undefined)?.LoadBalancers ?? [])
    .flatMap((lb) => [lb.AdvancedConfiguration?.ProductionListenerRule?.Ref, lb.AdvancedConfiguration?.TestListenerRule?.Ref])
    .filter((id): id is string => typeof id === "string");
}

/** Traffic at risk (aws/aws-cdk#36649): CloudFormation writes a rule's declared action back over ECS's weights. */
export const resetsEcsTraffic = (r: ResourceChange) => r.shiftedByEcs && r.change !== "added";

/** Data at risk: a stateful resource removed, replaced or possibly replaced. */
export const losesData = (r: ResourceChange) => r.stateful && (r.change === "removed" || r.replacement !== "no");

/** What a reviewer reads: data at risk and IAM changes first, then every change per stack. */
export function formatStackChanges(stage: string, baseRef: string, changes: StackChanges[]): string {
  const title = `Changes to stage ${stage} from ${baseRef} to this checkout`;
  if (changes.length === 0) return `${title}: none (the templates are the same).`;
  const lines = [title];
  const atRisk = changes.flatMap((c) => c.resources.filter(losesData).map((r) => ({ stack: c.stack, r })));
  if (atRisk.length > 0) {
    lines.push("  DATA AT RISK (a stateful resource removed or replaced: its data does not move to the new one):");
    for (const { stack, r } of atRisk)
      lines.push(
        `    ${stack}/${r.logicalId} (${r.type}): ${r.change === "removed" ? "removed" : `replacement: ${r.replacement}`}${r.properties.length ? `, because of ${r.properties.join(", ")}` : ""}`,
      );
  }
  const traffic = changes.flatMap((c) => c.resources.filter(resetsEcsTraffic).map((r) => ({ stack: c.stack, r })));
  if (traffic.length > 0) {
    lines.push(
      "  TRAFFIC AT RISK (aws/aws-cdk#36649: CloudFormation writes the rule's declared action back over the weights ECS set; deploy only while the declared target group serves, see docs/releases.md):",
    );
    for (const { stack, r } of traffic)
      lines.push(
        `    ${stack}/${r.logicalId} (${r.type}): ${r.change}${r.properties.length ? `, because of ${r.properties.join(", ")}` : ""}`,
      );
  }
  const iam = changes.filter((c) => c.iamStatements.length > 0);
  if (iam.length > 0) {
    lines.push("  IAM (permissions added + or removed -):");
    for (const c of iam)
      for (const row of c.iamStatements) lines.push(`    ${c.stack}: ${row.map((cell) => cell.replace(/\s+/g, " ")).join(" | ")}`);
  }
  for (const c of changes) {
    const count = (kind: ResourceChange["change"]) => c.resources.filter((r) => r.change === kind).length;
    lines.push(`  ${c.stack}: ${count("added")} added, ${count("removed")} removed, ${count("modified")} modified`);
    for (const r of c.resources) {
      const mark = r.change === "added" ? "+" : r.change === "removed" ? "-" : "~";
      const detail = r.change === "modified" ? ` [${r.properties.join(", ")}] replacement: ${r.replacement}` : "";
      lines.push(`    ${mark} ${r.logicalId} (${r.type})${detail}`);
    }
  }
  return lines.join("\n");
}
