import * as z from "../../zod";
import type { NotifyContext, OpsMessage } from "../message";

/** The EventBridge envelope every source shares. Unknown fields are allowed: AWS adds fields over time. */
export const Envelope = z.looseObject({
  id: z.string().check(z.minLength(1)),
  "detail-type": z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  time: z.iso.datetime({ offset: true }),
  region: z.string().check(z.minLength(1)),
  account: z.optional(z.string()),
  resources: z._default(z.array(z.string()), []),
  detail: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

/** What a source makes of an event: a message, or a documented reason to stay silent. */
export type Normalized = { kind: "message"; message: OpsMessage } | { kind: "ignored"; reason: string };

export type SourceReader = (envelope: Envelope, context: NotifyContext) => Normalized;

/** The fields every message of a source starts from. */
export function baseMessage(envelope: Envelope, context: NotifyContext, kind: OpsMessage["source"]["kind"]) {
  return {
    stage: context.stage,
    service: context.service,
    occurredAt: envelope.time,
    timeZone: context.timeZone,
    account: envelope.account ?? null,
    source: { kind, eventId: envelope.id, detailType: envelope["detail-type"] },
    facts: [],
    links: [],
    actionsTaken: [],
    nextStep: null,
    excerpt: null,
    thread: null,
    incident: null,
    graph: null,
    rejection: null,
  } satisfies Partial<OpsMessage>;
}

/** Zod's first issue as one line a person can act on. */
export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "does not match the expected shape";
  const where = issue.path.length ? issue.path.join(".") : "(event)";
  return `${where}: ${issue.message}`;
}
