import { subjects } from "../../chatops/tickets";
import * as z from "../../zod";
import { dashboardLink, deploymentLink } from "../links";
import { DeploymentState, type NotifyContext, type OpsMessage } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

export const DEPLOYMENT_DETAIL_TYPE = "CodeDeploy Deployment State-change Notification";

export const DeploymentDetail = z.looseObject({
  application: z.string().check(z.minLength(1)),
  deploymentGroup: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.regex(/^d-[A-Z0-9]+$/, "must be a CodeDeploy deployment id such as d-123456789")),
  state: DeploymentState,
});

type State = DeploymentState;

/** A stop told alone, by whom unknown; joined to an incident, deployment-incident.ts says what asked for it. */
const STOP_SUMMARY =
  "The release was stopped before it finished: by a person, by the automation, or by CodeDeploy itself when an alarm its deployment group watches went off.";

const WORDING: Record<
  State,
  Pick<OpsMessage, "severity" | "nextStep"> & {
    title: (id: string) => string;
    summary: string;
    did: string[];
    role: "start" | "reply" | "outcome";
  }
> = {
  START: {
    severity: "info",
    role: "start",
    title: (id) => `Release ${id} started`,
    summary:
      "CodeDeploy started a blue/green release of the service. Lifecycle hooks, traffic shifts and the outcome follow in this thread.",
    did: [],
    nextStep: null,
  },
  READY: {
    severity: "info",
    role: "reply",
    title: (id) => `Release ${id}: new version ready`,
    summary: "The new (green) tasks are running and healthy; CodeDeploy is about to send traffic to them.",
    did: [],
    nextStep: null,
  },
  SUCCESS: {
    severity: "info",
    role: "outcome",
    title: (id) => `Release ${id} succeeded`,
    // CodeDeploy reports SUCCESS only after the blue termination wait: by now the previous tasks are gone
    // (an AWS engineer on aws/containers-roadmap#269: the wait starts when the target succeeds, the deployment
    // succeeds when it ends).
    summary: "All traffic is on the new version, and the previous version's tasks have ended after the stage's blue termination wait.",
    did: [],
    nextStep: null,
  },
  FAILURE: {
    severity: "critical",
    role: "outcome",
    title: (id) => `Release ${id} failed`,
    // CodeDeploy's error and what serves users are added from its report when the message is delivered.
    summary: "CodeDeploy reports the release failed.",
    // What CodeDeploy did (a rollback) is written from its own report (notify/deployment-report.ts), never assumed.
    did: [],
    nextStep:
      "Open the deployment for the failing step; the hook verdicts in this thread carry the evidence. Fix forward with a new release.",
  },
  STOP: {
    severity: "warning",
    role: "outcome",
    title: (id) => `Release ${id} stopped`,
    summary: STOP_SUMMARY,
    did: [],
    nextStep: "Check who or what stopped it (the deployment's history, or an automation message in this thread).",
  },
};

export function readDeployment(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = DeploymentDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `deployment event detail ${firstIssue(parsed.error)}`);
  const { application, deploymentGroup, deploymentId, state } = parsed.data;
  const wording = WORDING[state];
  const message: OpsMessage = {
    ...baseMessage(envelope, context, "deployment"),
    severity: wording.severity,
    title: wording.title(deploymentId),
    summary: wording.summary,
    facts: [
      { label: "Deployment", value: deploymentId },
      { label: "State", value: state },
      { label: "Application", value: application },
      { label: "Deployment group", value: deploymentGroup },
    ],
    actionsTaken: wording.did,
    nextStep: wording.nextStep,
    links: [deploymentLink(envelope.region, deploymentId), dashboardLink(envelope.region, context.dashboardName)],
    thread: { deploymentId, role: wording.role, state },
    // While the release runs, its thread's first message can stop it; CodeDeploy's outcome replaces that message.
    ...(state === "START"
      ? { offers: [{ action: "roll-back" as const, subject: subjects.release(deploymentId), label: "Roll back now" }] }
      : {}),
  };
  return { kind: "message", message };
}
