import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nagErrors, resourceTable, settingsTable, stackLine, stageReport } from "../../packages/cli/src/synth/format";
import { type NagFinding, readNagFindings } from "../../packages/cli/src/synth/nag-report";
import { settingsDifferences } from "../../packages/cli/src/synth/stage-diff";
import { countResources, type StackResult, type StageResult } from "../../packages/cli/src/synth/synth-stage";

// Lines as cdk-nag 2.37 writes them in AwsSolutions-<stack>-NagReport.json.
const REPORT = {
  lines: [
    {
      ruleId: "AwsSolutions-IAM4",
      resourceId: "prod-app-Service/CustomResourceHandler/ServiceRole/Resource",
      compliance: "Non-Compliant",
      exceptionReason: "N/A",
      ruleLevel: "Error",
      ruleInfo: "The IAM user, role, or group uses AWS managed policies.",
    },
    {
      ruleId: "AwsSolutions-ECS4",
      resourceId: "prod-app-Service/Cluster/Resource",
      compliance: "Compliant",
      exceptionReason: "N/A",
      ruleLevel: "Error",
      ruleInfo: "The ECS Cluster has CloudWatch Container Insights disabled.",
    },
    {
      ruleId: "AwsSolutions-S1",
      resourceId: "prod-app-Service/AccessLogs/Resource",
      compliance: "Suppressed",
      exceptionReason: "This bucket receives the ALB access logs.",
      ruleLevel: "Error",
      ruleInfo: "The S3 Bucket has server access logs disabled.",
    },
    {
      ruleId: "AwsSolutions-X9",
      resourceId: "prod-app-Service/Thing/Resource",
      compliance: "Non-Compliant",
      exceptionReason: "N/A",
      ruleLevel: "Warning",
      ruleInfo: "A warning.",
    },
  ],
};

function writeReport(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "nag-")), "report.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function stack(name: string, resourceCounts: Record<string, number>, nag: NagFinding[] = []): StackResult {
  return { name, id: name, templateFile: `${name}.template.json`, template: {}, resourceCounts, nag };
}

function stage(name: string, stacks: StackResult[]): StageResult {
  return { stage: name, region: "eu-central-1", outdir: `/out/${name}`, stacks, durationMs: 1234 };
}

describe("cdk-nag report", () => {
  it("keeps broken and suppressed rules, with the suppression's reason", async () => {
    const findings = await readNagFindings(writeReport(REPORT));
    expect(findings).toEqual([
      {
        rule: "AwsSolutions-IAM4",
        resource: "prod-app-Service/CustomResourceHandler/ServiceRole/Resource",
        level: "Error",
        compliance: "Non-Compliant",
        info: "The IAM user, role, or group uses AWS managed policies.",
      },
      {
        rule: "AwsSolutions-S1",
        resource: "prod-app-Service/AccessLogs/Resource",
        level: "Error",
        compliance: "Suppressed",
        info: "The S3 Bucket has server access logs disabled.",
        reason: "This bucket receives the ALB access logs.",
      },
      {
        rule: "AwsSolutions-X9",
        resource: "prod-app-Service/Thing/Resource",
        level: "Warning",
        compliance: "Non-Compliant",
        info: "A warning.",
      },
    ]);
  });

  it("refuses a file that is not a report", async () => {
    await expect(readNagFindings(writeReport({ rows: [] }))).rejects.toThrow('is not a cdk-nag JSON report (no "lines")');
  });
});

describe("synth summary", () => {
  const findings: NagFinding[] = [
    { rule: "AwsSolutions-IAM4", resource: "s/Role", level: "Error", compliance: "Non-Compliant", info: "Managed policy." },
    { rule: "AwsSolutions-X9", resource: "s/Thing", level: "Warning", compliance: "Non-Compliant", info: "A warning." },
    { rule: "AwsSolutions-S1", resource: "s/Bucket", level: "Error", compliance: "Suppressed", info: "No logs.", reason: "Log bucket." },
    { rule: "AwsSolutions-S1", resource: "s/Other", level: "Error", compliance: "Suppressed", info: "No logs.", reason: "Log bucket." },
  ];

  it("counts resources by type", () => {
    expect(
      countResources({ Resources: { A: { Type: "AWS::S3::Bucket" }, B: { Type: "AWS::S3::Bucket" }, C: { Type: "AWS::SNS::Topic" } } }),
    ).toEqual({
      "AWS::S3::Bucket": 2,
      "AWS::SNS::Topic": 1,
    });
    expect(countResources({})).toEqual({});
  });

  it("fails only on unsuppressed errors", () => {
    const result = stage("prod", [stack("prod-app-Service", {}, findings)]);
    expect(nagErrors(result).map((f) => f.rule)).toEqual(["AwsSolutions-IAM4"]);
    expect(nagErrors(stage("prod", [stack("prod-app-Service", {}, findings.slice(1))]))).toEqual([]);
  });

  it("prints a progress line per stack", () => {
    expect(stackLine(stack("prod-app-Service", { "AWS::S3::Bucket": 2, "AWS::SNS::Topic": 1 }, findings), 1, 7)).toMatch(
      /^ {2}\[2\/7\] prod-app-Service +3 resources {2}cdk-nag 2 findings \(2 suppressed\)$/,
    );
    expect(stackLine(stack("prod-app-Network", { "AWS::EC2::VPC": 1 }), 0, 7)).toContain("1 resources  cdk-nag ok");
  });

  it("reports errors, warnings and each suppression with its reason", () => {
    const report = stageReport(stage("prod", [stack("prod-app-Service", { "AWS::S3::Bucket": 2 }, findings)]), "production");
    expect(report).toContain("Stage prod (production, eu-central-1): 1 stacks, 2 resources, 1.2 s");
    expect(report).toContain("cdk-nag AwsSolutions: 1 errors, 1 warnings, 2 suppressed");
    expect(report).toContain("ERROR AwsSolutions-IAM4 on s/Role: Managed policy.");
    expect(report).toContain("WARNING AwsSolutions-X9 on s/Thing: A warning.");
    expect(report).toContain("AwsSolutions-S1: Log bucket. (2 resources)");
  });

  it("tabulates resources per stage and marks the types whose counts differ", () => {
    const table = resourceTable([
      stage("prod", [stack("a", { "AWS::EC2::NatGateway": 3, "AWS::EC2::VPC": 1 })]),
      stage("dev", [stack("b", { "AWS::EC2::NatGateway": 1, "AWS::EC2::VPC": 1 })]),
    ]);
    const rows = table.split("\n");
    expect(rows[0]).toMatch(/^Resources by type +prod +dev$/);
    expect(rows.find((r) => r.startsWith("AWS::EC2::NatGateway"))).toMatch(/3 +1 +≠$/);
    expect(rows.find((r) => r.startsWith("AWS::EC2::VPC"))).toMatch(/1 +1$/);
    expect(rows.at(-1)).toMatch(/^total +4 +2$/);
  });
});

describe("settings differences", () => {
  const prod = { stage: "prod", database: { multiAz: true, port: 5432 }, alerts: { emails: ["a@x.io", "b@x.io"] }, domain: null };
  const dev = { stage: "dev", database: { multiAz: false, port: 5432 }, alerts: { emails: [] }, domain: { name: "d.x.io" } };

  it("lists only the fields that differ, with each stage's value", () => {
    expect(settingsDifferences({ prod, dev })).toEqual([
      { path: "database.multiAz", values: { prod: "true", dev: "false" } },
      { path: "alerts.emails", values: { prod: "a@x.io,b@x.io", dev: "[]" } },
      { path: "domain", values: { prod: "none", dev: "—" } },
      { path: "domain.name", values: { prod: "—", dev: "d.x.io" } },
    ]);
  });

  it("marks the synthesized stages and says when nothing differs", () => {
    const table = settingsTable(settingsDifferences({ prod, dev }), ["dev"]);
    expect(table.split("\n")[0]).toMatch(/^Settings that differ between stages +prod +dev\*$/);
    expect(settingsTable(settingsDifferences({ prod, copy: { ...prod, stage: "copy" } }), ["prod"])).toBe(
      "Settings: the same in every stage compared.",
    );
  });
});
