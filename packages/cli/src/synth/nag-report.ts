import { readFile } from "node:fs/promises";

export type NagCompliance = "Non-Compliant" | "Suppressed";

/** One cdk-nag rule that a resource breaks, with the reason when it is suppressed. */
export interface NagFinding {
  rule: string;
  /** Construct path of the resource, e.g. prod-hands-off-ops-Service/LoadBalancer/SecurityGroup/Resource. */
  resource: string;
  level: "Error" | "Warning";
  compliance: NagCompliance;
  /** What the rule checks, in cdk-nag's words. */
  info: string;
  /** The written reason of a suppression. */
  reason?: string;
}

interface NagReportLine {
  ruleId: string;
  resourceId: string;
  compliance: "Compliant" | NagCompliance | "Not Applicable" | string;
  exceptionReason: string;
  ruleLevel: string;
  ruleInfo: string;
}

/** The findings of one cdk-nag JSON report: broken and suppressed rules; compliant lines are dropped. */
export async function readNagFindings(file: string): Promise<NagFinding[]> {
  const report = JSON.parse(await readFile(file, "utf8")) as { lines?: NagReportLine[] };
  if (!Array.isArray(report.lines)) throw new Error(`${file} is not a cdk-nag JSON report (no "lines")`);
  return report.lines.flatMap((line): NagFinding[] => {
    if (line.compliance !== "Non-Compliant" && line.compliance !== "Suppressed") return [];
    return [
      {
        rule: line.ruleId,
        resource: line.resourceId,
        level: line.ruleLevel === "Warning" ? "Warning" : "Error",
        compliance: line.compliance,
        info: line.ruleInfo,
        ...(line.compliance === "Suppressed" ? { reason: line.exceptionReason } : {}),
      },
    ];
  });
}
