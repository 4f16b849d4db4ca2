import { ReleaseId } from "../release/release-id";
import * as z from "../zod";
import type { AlarmFacts } from "./alarm";

/**
 * "Do it", pressed in Slack on an incident the automation only rehearsed
 * (dry-run): the Slack actions function asks the rollback function to decide
 * again, now, for real — the same decision, claim, cooldown and daily cap as
 * enforce, with fresh facts (a release that finished meanwhile is rolled
 * back instead of stopped). Sent by a direct Invoke, which only the Slack
 * actions function's role may make.
 */
export const DoItRequest = z.strictObject({
  kind: z.literal("do-it"),
  alarmName: z.string().check(z.minLength(1)).check(z.maxLength(255)),
  /** The button's ticket: one press acts once, whatever retries. */
  ticketId: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)),
  requestedBy: z.string().check(z.minLength(1)).check(z.maxLength(120)),
});
export type DoItRequest = z.infer<typeof DoItRequest>;

/** The alarm as the decision reads it: asked about now (it acts only while CloudWatch has it in ALARM), its reason naming who asked. */
export function doItAlarm(request: DoItRequest, alarmPrefix: string, now: Date): AlarmFacts {
  return {
    eventId: `do-it-${request.ticketId}`,
    alarmName: request.alarmName,
    alarmId: request.alarmName.startsWith(alarmPrefix) ? request.alarmName.slice(alarmPrefix.length) : request.alarmName,
    state: "ALARM",
    reason: `${request.requestedBy} pressed "Do it" in Slack`,
    at: now,
    pressed: true,
  };
}

/**
 * "Roll back", pressed on a release's thread: the rollback function rolls that release back by its own path
 * (stop it while it runs, redeploy the version before it once it has finished), with its guards, in the stage's
 * mode. Sent by a direct Invoke from the Slack actions function.
 */
export const RollBackRequest = z.strictObject({
  kind: z.literal("roll-back"),
  deploymentId: ReleaseId,
  ticketId: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)),
  requestedBy: z.string().check(z.minLength(1)).check(z.maxLength(120)),
});
export type RollBackRequest = z.infer<typeof RollBackRequest>;
