import { route } from "@hands-off-ops/core/notify/route";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

const settingsOf = (stage: string) => stageSettings(stage, {}).notifications;

describe("routing by severity and stage, from the stage settings", () => {
  it.each([
    ["prod", "critical", "#ops-oncall", true],
    ["prod", "warning", "#ops-oncall", true],
    ["prod", "info", "#ops-releases", false],
    ["prod", "resolved", "#ops-oncall", true],
    ["staging", "critical", "#ops-staging", true],
    ["staging", "warning", "#ops-staging", false],
    ["dev", "critical", "#ops-dev", false],
    ["dev", "info", "#ops-dev", false],
    ["dev", "resolved", null, false],
    ["pr-42", "info", "#ops-dev", false],
  ] as const)("%s %s → Slack %s, e-mail %s", (stage, severity, channel, email) => {
    expect(route({ severity }, settingsOf(stage))).toEqual({ slackChannel: channel, email });
  });

  it("sends nothing to Slack when Slack is off, e-mail still as configured", () => {
    const settings = stageSettings("prod", { notifications: { slack: { mode: "off" } } }).notifications;
    expect(route({ severity: "critical" }, settings)).toEqual({ slackChannel: null, email: true });
  });

  it("refuses production settings that would not e-mail critical messages", () => {
    expect(() => stageSettings("prod", { notifications: { emailSeverities: ["warning"] } })).toThrow(
      /notifications.emailSeverities: production must e-mail critical messages/,
    );
  });

  it("refuses a channel that is neither a name nor an id", () => {
    expect(() => stageSettings("dev", { notifications: { slack: { channels: { info: "ops dev" } } } })).toThrow(
      /notifications.slack.channels.info/,
    );
  });
});
