import { CloudWatchClient, GetMetricWidgetImageCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { eventBridgeNotices } from "@hands-off-ops/core/aws/notices";
import { readJsonSecret } from "@hands-off-ops/core/aws/secrets";
import { cloudWatchGraphs } from "@hands-off-ops/core/notify/aws-metric-graph";
import { snsEmail } from "@hands-off-ops/core/notify/aws-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PNG } from "./fakes";

const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);
const secrets = mockClient(SecretsManagerClient);
afterEach(() => {
  sns.reset();
  cloudWatch.reset();
  secrets.reset();
});

describe("AWS adapters of the notifier", () => {
  it("publish the e-mail's subject and body to the on-call topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    await snsEmail("arn:aws:sns:eu-central-1:123456789012:on-call").send({ subject: "[CRITICAL] x", body: "body" });
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: "arn:aws:sns:eu-central-1:123456789012:on-call", Subject: "[CRITICAL] x", Message: "body" },
    ]);
  });

  it("ask CloudWatch for a PNG of the widget, and refuse an empty answer", async () => {
    const widget = { title: "t", start: "-PT3H", width: 800, height: 400, timezone: "+0000", metrics: [["AWS/EC2", "CPUUtilization"]] };
    cloudWatch.on(GetMetricWidgetImageCommand).resolvesOnce({ MetricWidgetImage: PNG }).resolvesOnce({});
    await expect(cloudWatchGraphs().render(widget)).resolves.toEqual(PNG);
    expect(cloudWatch.commandCalls(GetMetricWidgetImageCommand)[0]?.args[0].input).toEqual({
      MetricWidget: JSON.stringify(widget),
      OutputFormat: "png",
    });
    await expect(cloudWatchGraphs().render(widget)).rejects.toThrow("GetMetricWidgetImage returned no image");
  });

  it("read a JSON secret, and an unset (non-JSON) one as empty", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: "slack-a" }).resolves({ SecretString: '{"botToken":"xoxb-1"}' });
    secrets.on(GetSecretValueCommand, { SecretId: "slack-b" }).resolves({ SecretString: "put the token here" });
    await expect(readJsonSecret("slack-a")).resolves.toEqual({ botToken: "xoxb-1" });
    await expect(readJsonSecret("slack-b")).resolves.toEqual({});
  });
});

describe("automation notices through EventBridge", () => {
  const events = mockClient(EventBridgeClient);
  afterEach(() => events.reset());
  const notice = {
    stage: "dev",
    actor: "schedule",
    severity: "info",
    title: "Stage dev is asleep",
    summary: "Scaled to zero for the night.",
  } as const;

  it("put one entry on the default bus, in the notifier's schema", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    await eventBridgeNotices().send(notice);
    const [entry] = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({ Source: "hands-off-ops", DetailType: "Automation Action" });
    expect(JSON.parse(entry?.Detail ?? "{}")).toMatchObject({ ...notice, dryRun: false, facts: [] });
    expect(entry?.EventBusName).toBeUndefined();
  });

  it("fail when EventBridge accepts the call but refuses the entry", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }] });
    await expect(eventBridgeNotices().send(notice)).rejects.toThrow(
      'EventBridge refused the notice "Stage dev is asleep": InternalFailure try again',
    );
  });
});
