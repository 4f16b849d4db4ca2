import type { Context } from "aws-lambda";
import type { AlarmNow } from "../rollback/present";
import type { ChatOpsAction } from "../settings/chatops";
import type { IncidentRecord, SlackRef } from "./incident";
import type { IncidentDeployment, MetricWidget } from "./message";
import type { Email } from "./render/email";
import type { SlackPayload } from "./render/slack";
import type { ServiceDeploymentFound } from "./sources/ecs-deployment";

/**
 * The effects of the notifier, as small interfaces: adapters implement them
 * with the AWS SDK and the Slack SDK; tests with local peers or fakes.
 */

export interface SlackPost {
  channel: string;
  payload: SlackPayload;
  threadTs?: string;
  /** Also show a thread reply in the channel. */
  broadcast?: boolean;
}

export interface SlackPort {
  /** Web API: threads, updates and files. An incoming webhook can only post. */
  readonly canThread: boolean;
  /** The posted message, or null when the transport cannot tell (webhook). */
  post(post: SlackPost): Promise<SlackRef | null>;
  update(ref: SlackRef, payload: SlackPayload): Promise<void>;
  remove(ref: SlackRef): Promise<void>;
  uploadImage(thread: SlackRef, png: Uint8Array, title: string): Promise<void>;
}

export interface EmailPort {
  send(email: Email): Promise<void>;
}

export interface GraphPort {
  render(widget: MetricWidget): Promise<Uint8Array>;
}

/** A release thread's first message, and the channel setting it was routed to (a name such as #ops-releases, or an id). */
export interface ThreadParent extends SlackRef {
  routedTo: string;
}

export interface NotifyStore {
  thread(deploymentId: string): Promise<ThreadParent | undefined>;
  /** Records the thread's parent unless one exists; returns the parent that won. */
  claimThread(deploymentId: string, parent: ThreadParent): Promise<ThreadParent>;
  incident(key: string): Promise<IncidentRecord | undefined>;
  /** Writes the record if its version is still `expectedVersion` (undefined: if none exists); false when another writer won. */
  saveIncident(record: IncidentRecord, expectedVersion: number | undefined): Promise<boolean>;
  /** Remembers the Slack message that shows an incident (the first poster wins). */
  attachMessage(key: string, message: SlackRef): Promise<void>;
  /** Notes that a deployment is part of an incident (its bad release, its rollback), so that its CodeDeploy events join it. */
  linkDeployment(deploymentId: string, link: DeploymentLink): Promise<void>;
  deploymentLink(deploymentId: string): Promise<DeploymentLink | undefined>;
  /** The incident a member (an alarm, a revision's crashes, a database) last joined (notify/correlate.ts). */
  memberOf(member: string): Promise<string | undefined>;
  /** Notes the incident a member joined; the newest join wins. */
  joinMember(member: string, incidentKey: string): Promise<void>;
  /** The newest incident of a service (`<stage>/<service>`). */
  latestOf(service: string): Promise<string | undefined>;
  /** Makes `incidentKey` the service's newest incident if the newest is still `expected` (undefined: none); false when another writer won. */
  claimLatest(service: string, incidentKey: string, expected: string | undefined): Promise<boolean>;
}

export interface DeploymentLink {
  key: string;
  part: IncidentDeployment["part"];
}

/** Runs an effect at most once per key; a repeated call returns the first call's result. */
export interface OncePort {
  run<T extends object>(key: string, effect: () => Promise<T>): Promise<T>;
}

/** Issues the tickets an incident's buttons carry (chatops/tickets.ts); absent when the stage has no interactivity. */
export interface ButtonIssuer {
  issue(action: ChatOpsAction, subject: string, endsAt?: string): Promise<string>;
}

/**
 * What CodeDeploy itself says of a finished deployment (GetDeployment's errorInformation and rollbackInfo), and the
 * task definition of the version deployed before it (previousRevision's AppSpec).
 */
export interface DeploymentReport {
  error?: { code?: string; message?: string };
  rollback?: { rollbackDeploymentId?: string; rollbackMessage?: string };
  previousTaskDefinition?: string;
}

export interface DeploymentReportPort {
  report(deploymentId: string): Promise<DeploymentReport>;
}

/** What the service runs now, as ECS reports it. */
export interface ServiceCounts {
  running: number;
  desired: number;
}

export interface ServiceCountsPort {
  /** The public service's counts, or those of the ECS service named (a worker's). */
  counts(service?: string): Promise<ServiceCounts>;
}

/**
 * An alarm that stays in ALARM for hours was read and parked, or missed. Its
 * incident gets one reminder, a reply in its Slack thread, never a new page:
 * checked every 15 minutes (a scheduled rule), on what CloudWatch says of the
 * alarm now, not on what the incident last heard.
 */

export interface AlarmsNowPort {
  /** The alarm as CloudWatch has it now, or null when it does not know the name (rollback-alarms.ts). */
  now(alarmName: string): Promise<AlarmNow | null>;
}

export interface ReminderPorts {
  store: Pick<NotifyStore, "latestOf" | "incident" | "saveIncident">;
  slack: SlackPort | null;
  alarms: AlarmsNowPort;
  once: OncePort;
}

export interface DeliveryPorts {
  /** null when no Slack token or webhook has been configured for the stage yet. */
  slack: SlackPort | null;
  email: EmailPort;
  graphs: GraphPort;
  store: NotifyStore;
  once: OncePort;
  /** The incident's buttons (Acknowledge); absent or null when the stage has no Slack interactivity. */
  buttons?: ButtonIssuer | null;
}

export interface NotifyDependencies {
  ports(): Promise<DeliveryPorts>;
  /** CodeDeploy's report of a failed or stopped release. */
  deploymentReports: DeploymentReportPort;
  /** What the service runs now, to grade an ECS service event by its impact. */
  serviceCounts: ServiceCountsPort;
  /** ECS's record of the service deployment an ECS Deployment State Change event is about (release.controller "ecs"). */
  serviceDeployments: ServiceDeploymentsPort;
  /** The stage's alarms as CloudWatch has them now: a reminder is due only while one is still in ALARM. */
  alarms: AlarmsNowPort;
  registerContext(context: Context): void;
}

export interface ServiceDeploymentsPort {
  latestAt(at: Date): Promise<ServiceDeploymentFound>;
}
