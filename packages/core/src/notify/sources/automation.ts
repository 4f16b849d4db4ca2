import * as z from "../../zod";
import type { NotifyContext, OpsMessage } from "../message";
import { DeploymentThread, Fact, IncidentStep, Link, Offer, Severity } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

/**
 * What the other functions (canary hooks, rollback, schedule) send when they
 * act: they know best what they did and why, so they write the message; the
 * notifier routes, renders and delivers it. Sent with EventBridge PutEvents.
 */
export const AUTOMATION_SOURCE = "hands-off-ops";
export const AUTOMATION_DETAIL_TYPE = "Automation Action";

export const AutomationNotice = z.strictObject({
  stage: z.string().check(z.minLength(1)),
  /** The stage's worker it is about (settings services, not public); absent: the public service, or the stage. */
  worker: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(40))),
  /** Which function acted, e.g. "rollback", "canary-hook", "schedule". */
  actor: z.string().check(z.minLength(1)).check(z.maxLength(40)),
  severity: Severity,
  title: z.string().check(z.minLength(1)).check(z.maxLength(140)),
  summary: z.string().check(z.minLength(1)).check(z.maxLength(2500)),
  facts: z._default(z.array(Fact).check(z.maxLength(10)), []),
  links: z._default(z.array(Link).check(z.maxLength(5)), []),
  actionsTaken: z._default(z.array(z.string().check(z.minLength(1)).check(z.maxLength(500))).check(z.maxLength(10)), []),
  nextStep: z._default(z.nullable(z.string().check(z.minLength(1)).check(z.maxLength(1000))), null),
  /** In dry-run the automation decided but changed nothing: the message says "would have". */
  dryRun: z._default(z.boolean(), false),
  thread: z._default(z.nullable(DeploymentThread), null),
  /** The incident this notice is a step of (the alarm the rollback decided on). */
  incident: z._default(z.nullable(IncidentStep), null),
  /** Buttons the message offers (a release's thread, a sleep notice); posted only where Slack can take clicks. */
  offers: z._default(z.array(Offer).check(z.maxLength(3)), []),
});
export type AutomationNotice = z.input<typeof AutomationNotice>;

export function readAutomation(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = AutomationNotice.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `automation notice ${firstIssue(parsed.error)}`);
  const notice = parsed.data;
  if (notice.stage !== context.stage)
    return unrecognised(envelope, context, `automation notice is for stage "${notice.stage}", not "${context.stage}"`);
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "automation"),
    severity: notice.severity,
    title: notice.dryRun ? `[dry-run] ${notice.title}`.slice(0, 140) : notice.title,
    summary: notice.summary,
    facts: [
      { label: "Automation", value: notice.dryRun ? `${notice.actor} (dry-run: nothing was changed)` : notice.actor },
      ...notice.facts,
    ],
    links: notice.links,
    actionsTaken: notice.dryRun ? notice.actionsTaken.map((action) => `Would have: ${action}`) : notice.actionsTaken,
    nextStep: notice.nextStep,
    thread: notice.thread,
    incident: notice.incident,
    ...(notice.worker ? { worker: notice.worker } : {}),
    ...(notice.offers.length && !notice.dryRun ? { offers: notice.offers } : {}),
  };
  return { kind: "message", message };
}

/** The PutEvents entry a function sends to report what it did. */
export function automationEntry(notice: AutomationNotice) {
  return { Source: AUTOMATION_SOURCE, DetailType: AUTOMATION_DETAIL_TYPE, Detail: JSON.stringify(AutomationNotice.parse(notice)) };
}
