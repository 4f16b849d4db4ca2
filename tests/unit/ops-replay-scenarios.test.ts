import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readScenario } from "../../packages/cli/src/ops/replay/scenario";
import { stageSettings } from "../../stacks/config";

/**
 * Every scenario shipped in scenarios/ still holds together and replays its
 * sample event on dev through the real handlers, in this process (the
 * console itself is run as a process in tests/integration/ops-replay.test.ts).
 */

const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");
const ROOT = path.resolve(import.meta.dirname, "../..");
let replay: typeof import("../../packages/cli/src/ops/replay/run").replay;

beforeAll(async () => {
  // The handlers log JSON lines as in Lambda; the console silences them the same way.
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ replay } = await import("../../packages/cli/src/ops/replay/run"));
});

describe("the shipped scenarios", () => {
  const shipped = readdirSync(SCENARIOS).filter((file) => file.endsWith(".json"));

  it("cover every sample event in tests/fixtures/events", () => {
    const covered = new Set(shipped.map((file) => path.basename(JSON.parse(readFileSync(path.join(SCENARIOS, file), "utf8")).forEvent)));
    // ECS's hook payloads: the one stage its hook has checks at by default stands for them.
    const samples = readdirSync(path.join(ROOT, "tests/fixtures/events"))
      .filter((file) => file.endsWith(".json"))
      .concat("post-test-traffic-shift.json");
    expect(samples.filter((sample) => !covered.has(sample))).toEqual([]);
  });

  /** Samples no rule of the stage delivers: the console says so instead of showing a function AWS would never invoke. */
  const NOT_DELIVERED: Record<string, RegExp> = {};

  it.each(shipped.filter((file) => file in NOT_DELIVERED))("%s is refused with the rule's reason", async (file) => {
    const scenario = readScenario(path.join(SCENARIOS, file));
    const event = JSON.parse(readFileSync(path.join(ROOT, scenario.forEvent as string), "utf8"));
    await expect(replay({ stage: "dev", settings: stageSettings("dev"), event, scenario })).rejects.toThrow(NOT_DELIVERED[file] as RegExp);
  });

  // ECS's own events and hook invocations reach only a stage whose releases ECS runs.
  const settingsFor = (file: string) => stageSettings("dev", file.startsWith("ecs-") ? { release: { controller: "ecs" } } : {});

  it.each(shipped.filter((file) => !(file in NOT_DELIVERED)))("%s replays its sample event on dev", async (file) => {
    const scenario = readScenario(path.join(SCENARIOS, file));
    expect(scenario.forEvent).toMatch(/^tests\/fixtures\/events\/.+\.json$/);
    const event = JSON.parse(readFileSync(path.join(ROOT, scenario.forEvent as string), "utf8"));
    const lines = await replay({ stage: "dev", settings: settingsFor(file), event, scenario });
    expect(lines[0]).toMatch(/^Replay on dev \(development, automation enforce\)/);
    expect(lines).toContain(`Scenario: ${scenario.description}`);
    expect(lines.some((line) => line.startsWith("Result: "))).toBe(true);
  });
});
