import { ReleaseId } from "../release/release-id";
import { ChatOpsAction } from "../settings/chatops";
import type { StageWorker } from "../settings/workers";
import * as z from "../zod";

/**
 * The one shape every operational event becomes before anyone reads it: what
 * happened, where, how bad, what the automation already did, what to do next.
 * Slack and e-mail are two renderings of the same value.
 */

export const Severity = z.enum(["critical", "warning", "info", "resolved"]);
export type Severity = z.infer<typeof Severity>;

const text = (max: number) => z.string().check(z.minLength(1)).check(z.maxLength(max));

export const Fact = z.strictObject({ label: text(60), value: text(2000) });
export type Fact = z.infer<typeof Fact>;

export const Link = z.strictObject({ label: text(60), url: z.url({ protocol: /^https$/ }).check(z.maxLength(3000)) });
export type Link = z.infer<typeof Link>;

/** A deployment's messages form one Slack thread: the start, then replies; the outcome also updates the start. */
export const ThreadRole = z.enum(["start", "reply", "outcome"]);
export const DeploymentState = z.enum(["START", "SUCCESS", "FAILURE", "STOP", "READY"]);
export type DeploymentState = z.infer<typeof DeploymentState>;
export const DeploymentThread = z.strictObject({
  deploymentId: ReleaseId,
  role: ThreadRole,
  /** CodeDeploy's own state, on its own events (a notice about a deployment has none). */
  state: z.optional(DeploymentState),
  /** The controller's record says the release was rolled back and the previous version serves (ECS ROLLBACK_SUCCESSFUL). */
  rolledBack: z.optional(z.boolean()),
});
export type DeploymentThread = z.infer<typeof DeploymentThread>;

/**
 * The incident a message belongs to (notify/incident.ts). An event is one of
 * the incident's own (an alarm's state, a task's crash): `state` is what its
 * timeline shows. A step is what was done about it (the automation's decision,
 * CodeDeploy's rollback); `escalates` when a human must now act, and the
 * deployments it concerns, so that their CodeDeploy events join the incident.
 */
export const IncidentDeployment = z.strictObject({
  deploymentId: ReleaseId,
  part: z.enum(["bad-release", "rollback"]),
});
export type IncidentDeployment = z.infer<typeof IncidentDeployment>;

export const IncidentEvent = z.strictObject({
  role: z.literal("event"),
  key: text(300),
  state: text(40),
  /** The incident's own events repeat into a loop a person must break at this count (tasks crashing as they start). */
  loopAt: z.optional(z.number().check(z.int()).check(z.gte(2))),
  /** When the episode this event ends began (an OK's ALARM, from its previousState), so an end that arrives alone dates its incident right. */
  since: z.optional(z.iso.datetime({ offset: true })),
  /** It has an end of its own (an alarm's OK); otherwise it is episodic (a crash, a failover) and ends with its cause. */
  lasting: z.optional(z.boolean()),
});
export const IncidentStep = z.strictObject({
  role: z.literal("step"),
  key: text(300),
  /** What was done, in one line, from the doer's own record: the incident's timeline shows it. */
  did: text(300),
  escalates: z.boolean(),
  deployments: z._default(z.array(IncidentDeployment).check(z.maxLength(4)), []),
  /** A button this step offers on the incident's message (do-it: carry out a dry-run decision for real). */
  offers: z.optional(z.enum(["do-it"])),
  /** The release was stopped or rolled back by CodeDeploy, ECS or the automation (true), or that failed (false). */
  handled: z.optional(z.boolean()),
  /** The cause is dealt with (the rollback succeeded): the incident's crashes and other episodic signals end. */
  ends: z.optional(z.boolean()),
});
export type IncidentStep = z.infer<typeof IncidentStep>;
export const IncidentTag = z.discriminatedUnion("role", [IncidentEvent, IncidentStep]);
export type IncidentTag = z.infer<typeof IncidentTag>;

/**
 * A button a message outside incidents offers (a release's thread, a sleep notice): the action, what it acts
 * on (chatops/tickets.ts subjects), its label when not the action's own, and when it stops making sense.
 */
export const Offer = z.strictObject({
  action: ChatOpsAction,
  subject: text(300),
  label: z.optional(text(40)),
  endsAt: z.optional(z.iso.datetime()),
});
export type Offer = z.infer<typeof Offer>;

/** A button as posted: the ticket it carries, and its label when not the action's own. */
export interface ActionButton {
  action: ChatOpsAction;
  ticketId: string;
  label?: string;
}

/** The incident an alarm's events and the automation's decisions on it share. */
export const alarmIncidentKey = (alarmName: string) => `alarm:${alarmName}`;

/**
 * Whose incidents a message's signals join when their member has none (notify/correlate.ts): the public service's
 * (the stage's, by its app name), or one worker's. A worker's alarm never joins the public service's open incident.
 */
export const incidentScope = (message: Pick<OpsMessage, "stage" | "service" | "worker">) =>
  `${message.stage}/${message.service}${message.worker ? `/${message.worker}` : ""}`;

export const SourceKind = z.enum(["alarm", "deployment", "task", "service-action", "database", "automation", "unrecognised"]);
export type SourceKind = z.infer<typeof SourceKind>;

export interface OpsMessage {
  severity: Severity;
  stage: string;
  service: string;
  title: string;
  summary: string;
  facts: Fact[];
  links: Link[];
  actionsTaken: string[];
  nextStep: string | null;
  /** Preformatted text shown verbatim (an excerpt of an event nobody could read). */
  excerpt: string | null;
  occurredAt: string;
  /** The stage's IANA time zone: times are shown in it, with UTC beside. */
  timeZone: string;
  /** The AWS account the event came from, when the event names it. */
  account: string | null;
  source: { kind: SourceKind; eventId: string; detailType: string };
  thread: DeploymentThread | null;
  incident: IncidentTag | null;
  /** A CloudWatch metric widget (GetMetricWidgetImage JSON) to attach as a picture. */
  graph: MetricWidget | null;
  /** Why the event could not be read, when it could not. */
  rejection: string | null;
  /**
   * The stage's worker it is about (a service of the settings that is not public), absent for the public service and
   * the stage: its incidents are the worker's own (incidentScope), its title and facts name it.
   */
  worker?: string;
  /** Buttons that act (Slack interactivity), each carrying a ticket id the endpoint resolves from its own state. */
  buttons?: ActionButton[];
  /** Buttons a message outside incidents asks for; the notifier issues their tickets (incidents have their own). */
  offers?: Offer[];
}

export interface MetricWidget {
  title: string;
  start: string;
  width: number;
  height: number;
  timezone: string;
  metrics: unknown[][];
  annotations?: { horizontal?: { value: number; label: string }[]; vertical?: { value: string; label: string }[] };
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "CRITICAL",
  warning: "WARNING",
  info: "INFO",
  resolved: "RESOLVED",
};

/** Where the notifier runs: names it puts into links and titles. */
export interface NotifyContext {
  stage: string;
  service: string;
  region: string;
  dashboardName: string;
  clusterName: string;
  serviceName: string;
  logGroupName: string;
  /** Full names of the alarms that page (critical); any other alarm of the stage is a warning. */
  criticalAlarms: readonly string[];
  /** Full names of the alarms the CodeDeploy deployment group watches (a release in progress rolls back on them). */
  releaseAlarms: readonly string[];
  /** The stage's workers (its services that are not public): their ECS services and their own alarms. */
  workers: readonly StageWorker[];
  /** The stage's IANA time zone (its schedule's). */
  timeZone: string;
  /**
   * The sleep schedule that stops and starts the stage's database outside working hours, in its automation mode,
   * or null where the stage has none (production; schedule.enabled false): RDS's stop and start events read by it.
   */
  sleepSchedule: "enforce" | "dry-run" | null;
}
