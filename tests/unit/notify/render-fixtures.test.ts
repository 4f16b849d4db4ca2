import { compareVersions } from "@hands-off-ops/core/canary/comparison";
import { verdictNotice } from "@hands-off-ops/core/canary/notice";
import { decideVerdict } from "@hands-off-ops/core/canary/verdict";
import { withDeploymentReport } from "@hands-off-ops/core/notify/deployment-report";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { renderEmail } from "@hands-off-ops/core/notify/render/email";
import { renderSlack } from "@hands-off-ops/core/notify/render/slack";
import { withServiceImpact } from "@hands-off-ops/core/notify/service-impact";
import { ecsDeploymentPhase, withServiceDeployment } from "@hands-off-ops/core/notify/sources/ecs-deployment";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import {
  type AnyEvent,
  backToOk,
  deploymentEvent,
  EVENT_FIXTURES,
  loadEvent,
  RDS_EVENTS,
  rdsAutoStartEvent,
  rdsEvent,
  releaseAlarmEvent,
  STOPS,
  stoppedTask,
} from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";

/** A comparison the new version lost, as the canary hook reports it. */
function canaryVerdictEvent(): AnyEvent {
  const exchanges = (errors: number, latency: number) =>
    Array.from({ length: 200 }, (_, i) =>
      i < errors ? refusedExchange : { kind: "response" as const, status: 200, body: "", latencyMs: latency + (i % 10) },
    );
  const refusedExchange = { kind: "failure" as const, reason: "ECONNRESET", latencyMs: 3 };
  const settings = stageSettings("prod", {}).canary;
  const comparison = compareVersions(exchanges(12, 31), exchanges(2, 24), settings.comparison);
  const invocation = { hook: "AfterAllowTestTraffic" as const, deploymentId: "d-7K2Q9ZB1C", executionId: "x" };
  const verdict = decideVerdict("AfterAllowTestTraffic", { kind: "checked", smoke: null, comparison });
  const event = loadEvent("automation-action");
  event.detail = verdictNotice("prod", invocation, verdict, settings.comparison.alpha);
  event.id = "8b0e2d4c-5a6f-4e1b-9c3d-2f7a8e9b0c1d";
  return event;
}

/** The release alarm with a state CloudWatch never sends: the notifier cannot read it, on-call must still see which alarm. */
function malformedAlarm(): AnyEvent {
  const event = releaseAlarmEvent();
  event.detail.state.value = "ON_FIRE";
  return event;
}

/**
 * Every fixture and variant, rendered for Slack (Block Kit JSON) and e-mail
 * (plain text) into readable files under __renders__/: reviewed by eye when
 * they change, compared exactly on every run.
 */
const cases: [string, AnyEvent][] = [
  ...EVENT_FIXTURES.map((name): [string, AnyEvent] => [name, loadEvent(name)]),
  ["release-alarm", releaseAlarmEvent()],
  ["release-alarm-ok", backToOk(releaseAlarmEvent(), "9a1e6f0c-1111-4c2b-8d3e-0f1a2b3c4d5e", "2019-10-02T17:19:40Z")],
  ...(["START", "READY", "FAILURE", "STOP"] as const).map((state): [string, AnyEvent] => [
    `deployment-${state.toLowerCase()}`,
    deploymentEvent(state),
  ]),
  ...(Object.keys(STOPS) as (keyof typeof STOPS)[]).map((stop): [string, AnyEvent] => [`task-${stop}`, stoppedTask(stop)]),
  ...(Object.keys(RDS_EVENTS) as (keyof typeof RDS_EVENTS)[]).map((kind): [string, AnyEvent] => [
    `rds-${kind}`,
    rdsEvent(kind, "prod-hands-off-ops-database"),
  ]),
  ["rds-autoStart", rdsAutoStartEvent("prod-hands-off-ops-database")],
  ["canary-verdict-failed", canaryVerdictEvent()],
  ["not-an-event", { hello: "world", list: [1, 2, 3] }],
  ["malformed-alarm", malformedAlarm()],
  ["unknown-source", { ...loadEvent("ecs-task-state-change"), source: "aws.health", "detail-type": "AWS Health Event" }],
  ["ecs-deployment-rolled-back", loadEvent("ecs-deployment-completed")],
];

/**
 * What ECS's record says of the service deployment each ECS event is about (ListServiceDeployments), as the notifier
 * reads it before delivering: a completed event after a rollback is the rollback's end.
 */
const ECS_RECORD: Record<string, string> = {
  "ecs-deployment-in-progress": "IN_PROGRESS",
  "ecs-deployment-rollback-in-progress": "ROLLBACK_IN_PROGRESS",
  "ecs-deployment-completed": "SUCCESSFUL",
  "ecs-deployment-failed": "ROLLBACK_FAILED",
  "ecs-deployment-rolled-back": "ROLLBACK_SUCCESSFUL",
};

/** What ECS says the service runs (DescribeServices), as the notifier reads it before delivering a service event. */
const SERVICE_COUNTS: Record<string, { running: number; desired: number }> = {
  "ecs-service-action-task-placement-failure": { running: 1, desired: 2 },
  "ecs-service-action-task-start-impaired": { running: 2, desired: 2 },
};

/** CodeDeploy's report of the failed sample release, as GetDeployment gives it (API reference: errorInformation, rollbackInfo, previousRevision). */
const FAILED_RELEASE_REPORT = {
  error: {
    code: "ALARM_ACTIVE",
    message:
      "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <prod-hands-off-ops-Alb5xxRate>",
  },
  rollback: { rollbackDeploymentId: "d-3HV8N2M4X", rollbackMessage: "Automatic rollback triggered by alarm" },
  // previousRevision's AppSpec: the version before the release.
  previousTaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/prod-hands-off-ops-Service-app:41",
};

describe("every fixture renders to readable Slack and e-mail messages", () => {
  it.each([...cases, ["deployment-failure-reported", deploymentEvent("FAILURE")] as [string, AnyEvent]])("%s", async (name, event) => {
    const normalized = normalize(event, PROD_CONTEXT);
    if (normalized.kind === "ignored") {
      await expect(`ignored: ${normalized.reason}\n`).toMatchFileSnapshot(`__renders__/${name}.ignored.txt`);
      return;
    }
    const ecsStatus = ECS_RECORD[name];
    const counts = SERVICE_COUNTS[name];
    const message = name.endsWith("-reported")
      ? withDeploymentReport(normalized.message, "us-east-1", FAILED_RELEASE_REPORT)
      : ecsStatus
        ? withServiceDeployment(
            normalized.message,
            ecsDeploymentPhase(event) as NonNullable<ReturnType<typeof ecsDeploymentPhase>>,
            { releaseId: "EZe5RNVLH6PPzHXINuP28", status: ecsStatus },
            "us-west-2",
            PROD_CONTEXT,
          )
        : counts
          ? withServiceImpact(normalized.message, "production", counts)
          : normalized.message;
    const email = renderEmail(message);
    await expect(`Subject: ${email.subject}\n\n${email.body}\n`).toMatchFileSnapshot(`__renders__/${name}.email.txt`);
    await expect(`${JSON.stringify(renderSlack(message), null, 2)}\n`).toMatchFileSnapshot(`__renders__/${name}.slack.json`);
  });
});
