import { describe, expect, it } from "vitest";
import { inventoryOf } from "../../packages/cli/src/synth/cost-inventory";
import { costTable, stageCost } from "../../packages/cli/src/synth/cost-table";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { STAGES_UNDER_TEST } from "./synth-all-stages";

const stacksOf = (stage: string) => ({
  stacks: stageTemplates(stage)
    .allJson()
    .map(({ name, template }) => ({ name, template })),
});

describe("the monthly cost of each stage, from its synthesized templates", () => {
  it("reads what costs money from the templates: prod's three NAT gateways and Multi-AZ database, dev's one and single", () => {
    const prod = inventoryOf(stacksOf("prod"));
    const dev = inventoryOf(stacksOf("dev"));
    expect(prod).toMatchObject({ natGateways: 3, loadBalancers: 1, webAcls: 1, dynamoTables: 1, task: { vcpu: 0.5, memoryGb: 1 } });
    expect(prod.database).toEqual({ instanceClass: "m7g.large", multiAz: true, storageGb: 50, performanceInsights: true });
    // Three EIPs for the NAT gateways and one public address per load balancer node (three public subnets).
    expect(prod.publicIpv4).toBe(6);
    expect(prod.interfaceEndpointAzs).toBeGreaterThan(0);
    expect(dev).toMatchObject({ natGateways: 1, interfaceEndpointAzs: 0, database: { instanceClass: "t4g.micro", multiAz: false } });
  });

  it("matches the committed, reviewed example for prod, staging, dev and a preview stage (vitest -u after a reviewed change)", async () => {
    // A fixed month, so that the schedule's hours asleep (holidays included) do not move with the day the test runs.
    const asOf = new Date("2026-11-30T12:00:00Z");
    const tables = STAGES_UNDER_TEST.map((stage) => {
      const settings = stageSettings(stage);
      return costTable(stage, stageCost(stacksOf(stage), settings, asOf), settings);
    });
    const example = [
      "# npm run synth -- --cost-only --stage prod --stage staging --stage dev --stage pr-123",
      "# Output for November 2026 (hours asleep averaged over the 12 months from 2026-12-01). Reviewed by eye; see docs/cost.md.",
      "",
      tables.join("\n\n"),
      "",
    ].join("\n");
    await expect(example).toMatchFileSnapshot("../../docs/cost-example.txt");
  });
});
