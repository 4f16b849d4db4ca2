import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CloudFormationTemplate } from "../../packages/cli/src/synth/synth-stage";
import { diffStacks, formatStackChanges, type NamedTemplate, resetsEcsTraffic } from "../../packages/cli/src/synth/template-diff";
import { stageTemplates } from "./stage-templates";
import { ECS_STAGES } from "./synth-all-stages";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** prod's synthesized templates, and a copy changed by `change` as a commit would change them. */
function prodChangedBy(change: (stack: string, template: CloudFormationTemplate) => void) {
  const base = stageTemplates("prod").allJson() as NamedTemplate[];
  const head = base.map(({ name, template }) => {
    const copy = structuredClone(template);
    change(name.split("-").at(-1) ?? name, copy);
    return { name, template: copy };
  });
  const changes = diffStacks(base, head);
  return { changes, text: formatStackChanges("prod", "main", changes) };
}
const resources = (template: CloudFormationTemplate) => template.Resources ?? {};
const firstOfType = (template: CloudFormationTemplate, type: string) => {
  const found = Object.entries(resources(template)).find(([, r]) => r.Type === type);
  if (!found) throw new Error(`no ${type}`);
  return found;
};

describe("the change a reviewer approves: npm run synth -- --diff <ref>", () => {
  it("says nothing changed when nothing did", () => {
    expect(prodChangedBy(() => {}).text).toBe("Changes to stage prod from main to this checkout: none (the templates are the same).");
  });

  it("shows a new alarm as 1 added in its stack, and nothing at risk", () => {
    const { changes, text } = prodChangedBy((stack, template) => {
      if (stack !== "Observability") return;
      const [, alarm] = firstOfType(template, "AWS::CloudWatch::Alarm");
      resources(template).QueueAgeAlarm = structuredClone(alarm);
    });
    expect(changes).toEqual([
      {
        stack: "Observability",
        iamStatements: [],
        resources: [expect.objectContaining({ logicalId: "QueueAgeAlarm", change: "added", stateful: false })],
      },
    ]);
    expect(text.split("\n")).toEqual([
      "Changes to stage prod from main to this checkout",
      "  Observability: 1 added, 0 removed, 0 modified",
      "    + QueueAgeAlarm (AWS::CloudWatch::Alarm)",
    ]);
  });

  it("shows a new database class as modified in place: replacement: no, and not as data at risk", () => {
    const { text } = prodChangedBy((stack, template) => {
      if (stack !== "Database") return;
      const [, instance] = firstOfType(template, "AWS::RDS::DBInstance");
      (instance.Properties as Record<string, unknown>).DBInstanceClass = "db.m7g.xlarge";
    });
    expect(text).toMatch(/^ {4}~ Postgres\w+ \(AWS::RDS::DBInstance\) \[DBInstanceClass\] replacement: no$/m);
    expect(text).not.toContain("DATA AT RISK");
  });

  it("calls out first a renamed state table, which CloudFormation replaces with an empty one", () => {
    const { text } = prodChangedBy((stack, template) => {
      if (stack !== "Automation") return;
      const [, table] = firstOfType(template, "AWS::DynamoDB::GlobalTable");
      (table.Properties as Record<string, unknown>).TableName = "prod-ops-state-v2";
    });
    const lines = text.split("\n");
    expect(lines[1]).toBe("  DATA AT RISK (a stateful resource removed or replaced: its data does not move to the new one):");
    expect(lines[2]).toMatch(/^ {4}Automation\/State\w+ \(AWS::DynamoDB::GlobalTable\): replacement: yes, because of TableName$/);
    expect(text).toMatch(/~ State\w+ \(AWS::DynamoDB::GlobalTable\) \[TableName\] replacement: yes/);
  });

  it("calls out a state table whose construct was renamed: removed (and a new one added)", () => {
    const { text } = prodChangedBy((stack, template) => {
      if (stack !== "Automation") return;
      const [id, table] = firstOfType(template, "AWS::DynamoDB::GlobalTable");
      delete resources(template)[id];
      resources(template).OpsState = table;
    });
    expect(text.split("\n")[2]).toMatch(/^ {4}Automation\/State\w+ \(AWS::DynamoDB::GlobalTable\): removed$/);
    expect(text).toContain("+ OpsState (AWS::DynamoDB::GlobalTable)");
  });

  it("lists IAM changes before the resources: a new action on a role's policy", () => {
    const { text } = prodChangedBy((stack, template) => {
      if (stack !== "Automation") return;
      const [, policy] = firstOfType(template, "AWS::IAM::Policy");
      const document = (policy.Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument;
      document.Statement.push({ Effect: "Allow", Action: "ecs:DeleteService", Resource: "*" });
    });
    const lines = text.split("\n");
    expect(lines[1]).toBe("  IAM (permissions added + or removed -):");
    expect(lines[2]).toMatch(/^ {4}Automation: \+ \| \* \| Allow \| ecs:DeleteService \| AWS:\$\{NotifyServiceRole\w+\}/);
  });

  it("calls out first a change to a listener rule ECS shifts (aws/aws-cdk#36649), and not a release of a new image", () => {
    const base = stageTemplates(ECS_STAGES.prod).allJson() as NamedTemplate[];
    const head = base.map(({ name, template }) => {
      const copy = structuredClone(template);
      for (const [id, resource] of Object.entries(resources(copy)))
        if (id.startsWith("ProductionRule")) (resource.Properties as Record<string, unknown>).Priority = 2;
      return { name, template: copy };
    });
    const text = formatStackChanges("prod", "main", diffStacks(base, head)).split("\n");
    expect(text[1]).toMatch(/^ {2}TRAFFIC AT RISK \(aws\/aws-cdk#36649: CloudFormation writes the rule's declared action back/);
    expect(text[2]).toMatch(
      /^ {4}Service\/ProductionRule\w+ \(AWS::ElasticLoadBalancingV2::ListenerRule\): modified, because of Priority$/,
    );

    const release = diffStacks(base, stageTemplates(ECS_STAGES.prodNewImage).allJson() as NamedTemplate[]);
    expect(release.flatMap((c) => c.resources.filter(resetsEcsTraffic))).toEqual([]);
    expect(formatStackChanges("prod", "main", release)).not.toContain("TRAFFIC AT RISK");
  });

  it("refuses at once a ref that is not a commit, before any synth", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "dev", "--diff", "no-such-branch"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect([run.status, run.stderr.trim()]).toEqual([
      2,
      "--diff no-such-branch: not a commit in this repository (try a branch, a tag or a commit id; in CI, fetch it first).",
    ]);
    expect(run.stdout).not.toContain("Synthesizing");
  });

  it("synthesizes the base in a git worktree of the commit and compares (HEAD: this checkout's own last commit)", () => {
    const worktrees = () => spawnSync("git", ["worktree", "list"], { cwd: ROOT, encoding: "utf8" }).stdout.trim().split("\n");
    const before = worktrees();
    const run = spawnSync(process.execPath, ["--import", "tsx", "packages/cli/src/synth/main.ts", "--stage", "pr-7", "--diff", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Synthesizing the same stages at HEAD (a git worktree, offline)");
    expect(run.stdout).toMatch(/^Changes to stage pr-7 from HEAD to this checkout/m);
    // Its worktree is gone afterwards (a developer's own worktrees stay).
    expect(worktrees()).toEqual(before);
  }, 180_000);
});
