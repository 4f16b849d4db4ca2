import { beforeAll, describe, expect, it } from "vitest";
import type { Timeline } from "../../../packages/cli/src/ops/replay/timeline-file";
import { stageSettings } from "../../../stacks/config";

/** The console replays a late ALARM as AWS would deliver it: after its OK, answered by DescribeAlarms from the timeline. */
let replayTimeline: typeof import("../../../packages/cli/src/ops/replay/timeline").replayTimeline;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ replayTimeline } = await import("../../../packages/cli/src/ops/replay/timeline"));
});

const alarm = (state: "ALARM" | "OK") => ({
  event: "tests/fixtures/events/cloudwatch-alarm-single-metric.json",
  overrides: { region: "{region}", "detail.alarmName": "{stage}-{app}-TargetP99Latency", "detail.state.value": state },
});
const timeline: Timeline = {
  description: "a release's alarm ends at 2 min; its ALARM is delivered only at 5 min",
  start: "2026-11-24T16:04:00Z",
  scenario: {
    deployments: {
      lastSuccess: {
        deploymentId: "d-NEW",
        taskDefinitionArn: "arn:aws:ecs:eu-central-1:123456789012:task-definition/web:42",
        at: "2026-11-24T15:55:00Z",
      },
      previousSuccess: {
        deploymentId: "d-OLD",
        taskDefinitionArn: "arn:aws:ecs:eu-central-1:123456789012:task-definition/web:41",
        at: "2026-11-20T09:12:00Z",
      },
    },
  },
  steps: [
    { after: 0, deliveredAfter: 300, ...alarm("ALARM") },
    { after: 120, ...alarm("OK") },
  ],
};

describe("a stale ALARM in a replayed timeline, in enforce", () => {
  it("rolls nothing back and says the alarm is OK since it ended", async () => {
    const { lines } = await replayTimeline(timeline, "prod", { ...stageSettings("prod"), automationMode: "enforce" });
    const text = lines.join("\n");
    expect(text).toContain("CloudWatch DescribeAlarms");
    expect(text).toContain("prod-hands-off-ops-TargetP99Latency: OK since 2026-11-24T16:06:00.000Z");
    expect(text).not.toContain("CreateDeployment");
    // prod's zone is Europe/Berlin (CET in November), with UTC beside.
    expect(text).toContain(
      "TargetP99Latency is OK since 2026-11-24 17:06:00 CET (16:06:00 UTC), after this ALARM was raised at 2026-11-24 17:04:00 CET (16:04:00 UTC)",
    );
  });
});
