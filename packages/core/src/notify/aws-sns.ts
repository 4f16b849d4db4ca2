import type { SNSClient } from "@aws-sdk/client-sns";
import type { EmailPort } from "./ports";

/** E-mail to on-call through the stage's SNS topic. */
export function snsEmail(topicArn: string, client?: SNSClient): EmailPort {
  return {
    async send({ subject, body }) {
      const sdk = await import("../aws/sdk/sns");
      client ??= new sdk.SNSClient({});
      await client.send(new sdk.PublishCommand({ TopicArn: topicArn, Subject: subject, Message: body }));
    },
  };
}
