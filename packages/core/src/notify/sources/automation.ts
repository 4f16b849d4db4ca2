import * as z from "zod";
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
  stage: z.string().min(1),
  /** Which function acted, e.g. "rollback", "canary-hook", "schedule". */
  actor: z.string().min(1).max(40),
  severity: Severity,
  title: z.string().min(1).max(140),
  summary: z.string().min(1).max(2500),
  facts: z.array(Fact).max(10).default([]),
  links: z.array(Link).max(5).default([]),
  actionsTaken: z.array(z.string().min(1).max(500)).max(10).default([]),
  nextStep: z.string().min(1).max(1000).nullable().default(null),
  /** In dry-run the automation decided but changed nothing: the message says "would have". */
  dryRun: z.boolean().default(false),
  thread: DeploymentThread.nullable().default(null),
  /** The incident this notice is a step of (the alarm the rollback decided on). */
  incident: IncidentStep.nullable().default(null),
  /** Buttons the message offers (a release's thread, a sleep notice); posted only where Slack can take clicks. */
  offers: z.array(Offer).max(3).default([]),
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
    ...(notice.offers.length && !notice.dryRun ? { offers: notice.offers } : {}),
  };
  return { kind: "message", message };
}

/** The PutEvents entry a function sends to report what it did. */
export function automationEntry(notice: AutomationNotice) {
  return { Source: AUTOMATION_SOURCE, DetailType: AUTOMATION_DETAIL_TYPE, Detail: JSON.stringify(AutomationNotice.parse(notice)) };
}
