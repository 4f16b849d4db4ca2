import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { Answers } from "../recording";
import type { World } from "./world";

/** The default bus: every entry is accepted and kept, to be shown and handed on (a notice reaches the notifier). */
export function eventBridgeAnswers(world: World): Answers {
  return new Answers().set(
    PutEventsCommand,
    (input) => {
      const entries = input.Entries ?? [];
      world.sent.events.push(...entries.map(({ Source, DetailType, Detail }) => ({ Source, DetailType, Detail })));
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `replay-${world.sent.events.length}-${i}` })) };
    },
    (input) =>
      (input.Entries ?? [])
        .map((entry) => {
          const detail = JSON.parse(entry.Detail ?? "{}") as {
            title?: string;
            deploymentId?: string;
            hook?: string;
            deadlineMinutes?: number;
            onDeadline?: string;
          };
          if (detail.title) return `${entry.DetailType}: "${detail.title}"`;
          return `${entry.DetailType}: release ${detail.deploymentId} waits at ${detail.hook} up to ${detail.deadlineMinutes} min (then ${detail.onDeadline})`;
        })
        .join("; "),
  );
}
