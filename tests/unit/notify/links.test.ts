import { alarmLink, logStreamLink, logsQueryLink } from "@hands-off-ops/core/notify/links";
import { describe, expect, it } from "vitest";

describe("console links", () => {
  it("escape an alarm name for the alarm page", () => {
    expect(alarmLink("eu-central-1", "EC2 CPU Utilization Anomaly").url).toBe(
      "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/EC2%20CPU%20Utilization%20Anomaly",
    );
  });

  it("escape log group and stream names twice, as the console's routes expect", () => {
    expect(logStreamLink("eu-central-1", "/ecs/prod", "app/app/abc").url).toBe(
      "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logsV2:log-groups/log-group/$252Fecs$252Fprod/log-events/app$252Fapp$252Fabc",
    );
  });

  it("give Logs Insights the hour before the event and the query, '*'-escaped", () => {
    const { url } = logsQueryLink("eu-central-1", "/ecs/prod", "fields @message | limit 5", new Date("2026-11-20T03:00:00Z"));
    expect(url).toContain("#logsV2:logs-insights$3FqueryDetail$3D~(end~'2026-11-20T03*3A00*3A00.000Z~start~'2026-11-20T02*3A00*3A00.000Z~");
    expect(url).toContain("~editorString~'fields*20*40message*20*7C*20limit*205~source~(~'*2Fecs*2Fprod))");
  });
});
