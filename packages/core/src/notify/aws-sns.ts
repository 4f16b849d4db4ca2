import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { EmailPort } from "./ports";

/** E-mail to on-call through the stage's SNS topic. */
export function snsEmail(topicArn: string, client: SNSClient = new SNSClient({})): EmailPort {
  return {
    async send({ subject, body }) {
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: body }));
    },
  };
}
