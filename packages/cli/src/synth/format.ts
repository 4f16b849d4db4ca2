import type { NagFinding } from "./nag-report";
import type { SettingDifference } from "./stage-diff";
import type { StackResult, StageResult } from "./synth-stage";

/** The unsuppressed cdk-nag errors of a stage: what makes the synth fail. */
export function nagErrors(result: StageResult): NagFinding[] {
  return result.stacks.flatMap((stack) => stack.nag.filter((f) => f.compliance === "Non-Compliant" && f.level === "Error"));
}

export function totalResources(stacks: StackResult[]): number {
  return stacks.reduce((sum, stack) => sum + sumOf(stack.resourceCounts), 0);
}

/** The progress line printed as each stack's template is read. */
export function stackLine(stack: StackResult, index: number, count: number): string {
  const broken = stack.nag.filter((f) => f.compliance === "Non-Compliant");
  const suppressed = stack.nag.length - broken.length;
  const nag = broken.length === 0 ? "cdk-nag ok" : `cdk-nag ${broken.length} finding${broken.length === 1 ? "" : "s"}`;
  return `  [${index + 1}/${count}] ${stack.name.padEnd(40)} ${String(sumOf(stack.resourceCounts)).padStart(4)} resources  ${nag}${suppressed ? ` (${suppressed} suppressed)` : ""}`;
}

/** One stage: where its templates are, its stacks and its cdk-nag result with each suppression's reason. */
export function stageReport(result: StageResult, kind: string): string {
  const findings = result.stacks.flatMap((stack) => stack.nag);
  const errors = findings.filter((f) => f.compliance === "Non-Compliant" && f.level === "Error");
  const warnings = findings.filter((f) => f.compliance === "Non-Compliant" && f.level === "Warning");
  const suppressed = findings.filter((f) => f.compliance === "Suppressed");
  const lines = [
    `Stage ${result.stage} (${kind}, ${result.region}): ${result.stacks.length} stacks, ${totalResources(result.stacks)} resources, ${(result.durationMs / 1000).toFixed(1)} s`,
    `  templates: ${result.outdir}`,
    `  cdk-nag AwsSolutions: ${errors.length} errors, ${warnings.length} warnings, ${suppressed.length} suppressed`,
  ];
  for (const finding of [...errors, ...warnings]) {
    lines.push(`    ${finding.level.toUpperCase()} ${finding.rule} on ${finding.resource}: ${finding.info}`);
  }
  const byReason = new Map<string, string[]>();
  for (const finding of suppressed) {
    const key = `${finding.rule}: ${finding.reason ?? "(no reason)"}`;
    byReason.set(key, [...(byReason.get(key) ?? []), finding.resource]);
  }
  if (byReason.size > 0) lines.push("  suppressed, with reasons:");
  for (const [key, resources] of [...byReason].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`    ${key} (${resources.length === 1 ? resources[0] : `${resources.length} resources`})`);
  }
  return lines.join("\n");
}

/** Resource counts by type, one column per stage, marking the types whose counts differ. */
export function resourceTable(results: StageResult[]): string {
  const countsByStage = results.map((r) => {
    const counts: Record<string, number> = {};
    for (const stack of r.stacks) for (const [type, n] of Object.entries(stack.resourceCounts)) counts[type] = (counts[type] ?? 0) + n;
    return counts;
  });
  const types = [...new Set(countsByStage.flatMap((c) => Object.keys(c)))].sort();
  const rows = types.map((type) => {
    const counts = countsByStage.map((c) => c[type] ?? 0);
    return [type, ...counts.map(String), results.length > 1 && new Set(counts).size > 1 ? "≠" : ""];
  });
  return table(
    ["Resources by type", ...results.map((r) => r.stage), ""],
    [...rows, ["total", ...results.map((r) => String(totalResources(r.stacks))), ""]],
  );
}

/** Settings that differ between stages; the synthesized ones are marked with *. */
export function settingsTable(differences: SettingDifference[], synthesized: string[]): string {
  if (differences.length === 0) return "Settings: the same in every stage compared.";
  const stages = Object.keys(differences[0]?.values ?? {});
  const header = ["Settings that differ between stages", ...stages.map((s) => (synthesized.includes(s) ? `${s}*` : s))];
  return table(
    header,
    differences.map((d) => [d.path, ...stages.map((s) => d.values[s] ?? "—")]),
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
