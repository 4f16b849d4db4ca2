import { ChatOpsAction, ChatOpsSettingsSchema } from "@hands-off-ops/core/settings/chatops";
import * as mini from "@hands-off-ops/core/zod";
import * as z from "zod";
import { ScenarioError } from "./scenario";

/** The file a press replay reads (replay/press.ts runs it): a Slack button press and the world it lands in. */

export const PressFileSchema = z.strictObject({
  description: z.string().min(1),
  /** The button press as Slack posts it: a block_actions payload. */
  press: z.record(z.string(), z.unknown()),
  /** What the state table holds for the pressed button's value: the ticket the notifier issued. */
  ticket: z.strictObject({ action: ChatOpsAction, subject: z.string().min(1) }),
  /** How the stage is connected to Slack for the replay, over its own chatops settings (which connect nobody). */
  chatops: mini.partial(ChatOpsSettingsSchema),
  /** An approval gate waiting for this release, for Approve and Reject. */
  approval: z
    .strictObject({ executionId: z.string().min(1), hook: z.string().min(1), minutesLeft: z.number().int().min(-60).max(60) })
    .optional(),
  /** The world the rollback function sees (a scenario, inline). */
  scenario: z.record(z.string(), z.unknown()).optional(),
});
export type PressFile = z.infer<typeof PressFileSchema>;

export const isPress = (document: unknown) => typeof document === "object" && document !== null && "press" in document;

export function readPress(file: string, document: unknown): PressFile {
  const parsed = PressFileSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`);
    throw new ScenarioError(`The press ${file} is not valid:\n  ${issues.join("\n  ")}`);
  }
  if (parsed.data.ticket.action === "acknowledge" || parsed.data.ticket.action === "do-it")
    throw new ScenarioError(`The press ${file}: an incident's buttons act on its record; replay the incident's timeline instead`);
  return parsed.data;
}
