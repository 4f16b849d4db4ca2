import { PRICE_TABLES } from "@hands-off-ops/core/cost/prices/index";
import { describe, expect, it } from "vitest";
import { costTable, stageCost } from "../../../packages/cli/src/synth/cost-table";
import { stageSettings } from "../../../stacks/config";

// A stage in a region without a price table (issue 28, item 4): it used to stop synth with NoPriceTable.
const NO_STACKS = { stacks: [] };
const AS_OF = new Date("2026-11-30T12:00:00Z");

describe("the cost section of a stage whose region has no price table", () => {
  const dev = stageSettings("dev", { region: "eu-west-1" });

  it("is not estimated, rather than priced from another region or thrown", () => {
    expect(Object.keys(PRICE_TABLES)).not.toContain("eu-west-1");
    expect(stageCost(NO_STACKS, dev, AS_OF)).toEqual({
      notEstimated: true,
      region: "eu-west-1",
      tables: Object.keys(PRICE_TABLES),
      command: "npm run prices -- --region eu-west-1",
    });
  });

  it("says plainly that there is no figure, why, which tables there are, and the command that writes one", () => {
    const section = costTable("dev", stageCost(NO_STACKS, dev, AS_OF), dev).split("\n");
    expect(section[0]).toBe("Monthly cost of stage dev (eu-west-1): not estimated");
    expect(section[1]).toContain(`there is no price table for eu-west-1 (the tables there are: ${Object.keys(PRICE_TABLES).join(", ")})`);
    expect(section[2]).toBe(
      "  To get one: npm run prices -- --region eu-west-1 writes packages/core/src/cost/prices/eu-west-1.ts from AWS's published price list; then synth again.",
    );
    expect(section.join("\n")).not.toMatch(/\$\d/);
  });

  it("warns a scheduled stage that its sleep notices use the settings' prices, which nothing checks in that region", () => {
    const scheduled = costTable("dev", stageCost(NO_STACKS, dev, AS_OF), dev);
    expect(scheduled).toContain("schedule.prices: 0.03725/vCPU-h, 0.00409/GB-h, 0.019/db-h");
    expect(scheduled).toContain("compare them with eu-west-1's prices");
    const staging = stageSettings("staging", { region: "eu-west-1" });
    expect(staging.schedule.enabled).toBe(false);
    expect(costTable("staging", stageCost(NO_STACKS, staging, AS_OF), staging)).not.toContain("schedule.prices");
  });
});
