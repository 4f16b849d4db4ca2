import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { readSlackConfig } from "@hands-off-ops/core/slack/config";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

describe("the Slack secret", () => {
  it("gives the bot token in web-api mode and the webhook in webhook mode", () => {
    const secret = { botToken: "xoxb-123-456-abc", webhookUrl: "https://hooks.slack.com/services/T0/B0/x" };
    expect(readSlackConfig(secret, "web-api")).toEqual({ kind: "web-api", botToken: "xoxb-123-456-abc" });
    expect(readSlackConfig(secret, "webhook")).toEqual({ kind: "webhook", webhookUrl: "https://hooks.slack.com/services/T0/B0/x" });
  });

  it.each([
    [{}, "web-api", 'the Slack secret has no "botToken" (mode web-api)'],
    [{}, "webhook", 'the Slack secret has no "webhookUrl" (mode webhook)'],
    [{ botToken: "not-a-token" }, "web-api", "the Slack secret is not valid: must be a Slack bot token (xoxb-…)"],
    [{ webhookUrl: "http://hooks.slack.com/x" }, "webhook", expect.stringMatching(/^the Slack secret is not valid/)],
    [{ botToken: "xoxb-1" }, "off", "Slack is off in the stage's settings"],
  ] as const)("%j in %s mode is unconfigured: %s", (secret, mode, reason) => {
    expect(readSlackConfig(secret, mode)).toEqual({ kind: "unconfigured", reason });
  });
});

describe("the notify function's environment", () => {
  const complete = {
    STAGE: "prod",
    APP_NAME: "hands-off-ops",
    AWS_REGION: "eu-central-1",
    NOTIFY_SETTINGS: JSON.stringify(stageSettings("prod", {}).notifications),
    ON_CALL_TOPIC_ARN: "arn:aws:sns:eu-central-1:123456789012:prod-on-call",
    STATE_TABLE: "prod-state",
    SLACK_SECRET_ID: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod-slack",
    DASHBOARD_NAME: "prod-hands-off-ops-Observability",
    CLUSTER_NAME: "prod-cluster",
    SERVICE_NAME: "prod-service",
    LOG_GROUP_NAME: "prod-logs",
    CRITICAL_ALARMS: "a,b",
    RELEASE_ALARMS: "a",
  };

  it("reads names, lists and the stage's notification settings", () => {
    const env = readNotifyEnvironment(complete);
    expect(env.context.criticalAlarms).toEqual(["a", "b"]);
    expect(env.settings.slack.channels.info).toBe("#ops-releases");
    expect(env.slack).toEqual({ apiUrl: undefined, retries: 3, minRetryDelayMs: 1000 });
  });

  it("reads the sleep schedule RDS's stop and start events are judged by: none unless named", () => {
    expect(readNotifyEnvironment(complete).context.sleepSchedule).toBeNull();
    expect(readNotifyEnvironment({ ...complete, SLEEP_SCHEDULE: "dry-run" }).context.sleepSchedule).toBe("dry-run");
    expect(() => readNotifyEnvironment({ ...complete, SLEEP_SCHEDULE: "sometimes" })).toThrow(/SLEEP_SCHEDULE/);
  });

  it("names every missing or bad variable", () => {
    const { STATE_TABLE: _, ...missing } = complete;
    expect(() => readNotifyEnvironment({ ...missing, NOTIFY_SETTINGS: "{" })).toThrow(
      /environment is incomplete: NOTIFY_SETTINGS: must be JSON; STATE_TABLE: Invalid input/,
    );
  });
});
