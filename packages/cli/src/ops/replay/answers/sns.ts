import { PublishCommand } from "@aws-sdk/client-sns";
import { Answers } from "../recording";
import type { World } from "./world";

/** The on-call topic: each e-mail is kept, to be shown as on-call reads it. */
export function snsAnswers(world: World): Answers {
  return new Answers().set(
    PublishCommand,
    (input) => {
      world.sent.emails.push({ subject: input.Subject ?? "", body: input.Message ?? "" });
      return { MessageId: `replay-${world.sent.emails.length}` };
    },
    (input) => `${input.TopicArn?.split(":").at(-1)}: "${input.Subject}"`,
  );
}
