import { deliver } from "@hands-off-ops/core/notify/deliver";
import { enrich } from "@hands-off-ops/core/notify/enrich";
import type { NotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { incidentScope, type NotifyContext, type OpsMessage } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import type { NotifyDependencies } from "@hands-off-ops/core/notify/ports";
import { workerOfAlarm, workerOfService } from "@hands-off-ops/core/settings/workers";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { type AnyEvent, loadEvent, releaseAlarmEvent, stoppedTask } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";
import { fakePorts } from "./fakes";

/**
 * A stage with a public service (web) and a worker (examples/http-echo/web-and-worker.settings.json): what is the
 * worker's is named as the worker's and is the worker's incident, never the public service's. Each event is AWS's
 * documentation sample with the stage's names in place.
 */

const WORKER_SERVICE = "prod-hands-off-ops-Service-WorkerWorkerService-Q1w2E3r4";
const WORKER_ARN = `arn:aws:ecs:eu-central-1:123456789012:service/prod-hands-off-ops-cluster/${WORKER_SERVICE}`;
const CPU = "prod-hands-off-ops-WorkerWorkerCpu";
const CONTEXT: NotifyContext = {
  ...PROD_CONTEXT,
  workers: [{ name: "worker", ecsService: WORKER_SERVICE, alarms: [CPU, "prod-hands-off-ops-WorkerWorkerMemory"] }],
};

const messageOf = (event: unknown, context = CONTEXT): OpsMessage => {
  const normalized = normalize(event, context);
  if (normalized.kind !== "message") throw new Error(normalized.reason);
  return normalized.message;
};

const T0 = Date.parse("2026-11-24T16:04:00Z");
const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString().replace(".000", "");
function timed(event: AnyEvent, minute: number, id: string): AnyEvent {
  event.time = iso(minute);
  event.id = id;
  if (event.detail?.state?.timestamp) event.detail.state.timestamp = iso(minute).replace("Z", ".000+0000");
  return event;
}

/** The worker's CPU alarm (the single-metric sample), in ALARM. */
function workerCpuAlarm(minute = 0, id = `cpu-${minute}`): AnyEvent {
  const event = releaseAlarmEvent();
  event.detail.alarmName = CPU;
  event.resources = [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${CPU}`];
  event.detail.configuration.description = "Worker worker: CPU above 85% for 5 minutes. Runbook: read the worker's logs.";
  return timed(event, minute, id);
}

const serviceAction = (sample: "ecs-service-action-task-placement-failure" | "ecs-service-action-steady-state", arn: string) => {
  const event = loadEvent(sample);
  event.resources = [arn];
  event.detail.clusterArn = "arn:aws:ecs:eu-central-1:123456789012:cluster/prod-hands-off-ops-cluster";
  return event;
};

describe("which service an event is about", () => {
  it("an alarm by its full name, a service by its name or its ARN; anything else is the public service's", () => {
    expect(workerOfAlarm(CONTEXT.workers, CPU)?.name).toBe("worker");
    expect(workerOfAlarm(CONTEXT.workers, "prod-hands-off-ops-Alb5xxRate")).toBeUndefined();
    expect(workerOfService(CONTEXT.workers, WORKER_SERVICE)?.name).toBe("worker");
    expect(workerOfService(CONTEXT.workers, WORKER_ARN)?.name).toBe("worker");
    expect(workerOfService(CONTEXT.workers, PROD_CONTEXT.serviceName)).toBeUndefined();
    expect(workerOfService([], WORKER_SERVICE)).toBeUndefined();
  });

  it("keys a worker's incidents apart from the public service's", () => {
    expect(incidentScope({ stage: "prod", service: "hands-off-ops" })).toBe("prod/hands-off-ops");
    expect(incidentScope({ stage: "prod", service: "hands-off-ops", worker: "worker" })).toBe("prod/hands-off-ops/worker");
  });
});

describe("a worker's events, as the notifier reads them", () => {
  it("its CPU alarm names the worker, says ECS rolls the worker back, and is no release alarm of the public service", () => {
    const message = messageOf(workerCpuAlarm());
    expect(message.worker).toBe("worker");
    expect(message.title).toBe("worker: WorkerWorkerCpu is in ALARM");
    expect(message.severity).toBe("warning");
    expect(message.facts[0]).toEqual({ label: "Service", value: "worker (a worker of the stage)" });
    const guard = message.facts.find((f) => f.label === "Release guard")?.value;
    expect(guard).toMatch(/^ECS's deployment alarms of worker watch this alarm/);
    expect(guard).not.toMatch(/CodeDeploy/);
    expect(message.incident).toEqual({ role: "event", key: `alarm:${CPU}`, state: "ALARM", lasting: true });
    // No link to the public service's log group.
    expect(message.links.map((l) => l.label)).not.toContain("Error logs");
    // The same event on a stage that does not know the worker reads as any alarm of the stage.
    const unknown = messageOf(workerCpuAlarm(), PROD_CONTEXT);
    expect(unknown.worker).toBeUndefined();
    expect(unknown.title).toBe("WorkerWorkerCpu is in ALARM");
  });

  it("its service events are weighed by the worker's own tasks, not the public service's", async () => {
    const asked: (string | undefined)[] = [];
    const counts = { [WORKER_SERVICE]: { running: 0, desired: 2 }, [PROD_CONTEXT.serviceName]: { running: 2, desired: 2 } };
    const dependencies = {
      serviceCounts: {
        counts: async (service?: string) => {
          asked.push(service);
          return counts[service ?? PROD_CONTEXT.serviceName];
        },
      },
    } as unknown as NotifyDependencies;
    const env = { kind: "production", context: CONTEXT } as unknown as NotifyEnvironment;
    const event = serviceAction("ecs-service-action-task-placement-failure", WORKER_ARN);
    const weighed = await enrich(messageOf(event), event, env, dependencies, fakePorts().store, () => {});
    expect(asked).toEqual([WORKER_SERVICE]);
    // No task of the worker's two runs: critical on any stage (docs/notifications.md's table), whatever the web service does.
    expect(weighed.severity).toBe("critical");
    const web = serviceAction(
      "ecs-service-action-task-placement-failure",
      `arn:aws:ecs:eu-central-1:1:service/c/${PROD_CONTEXT.serviceName}`,
    );
    const webWeighed = await enrich(messageOf(web), web, env, dependencies, fakePorts().store, () => {});
    expect(asked).toEqual([WORKER_SERVICE, PROD_CONTEXT.serviceName]);
    expect(webWeighed.severity).toBe("warning");
  });

  it("its service events name the worker, with a member key of its own", () => {
    const failure = messageOf(serviceAction("ecs-service-action-task-placement-failure", WORKER_ARN));
    expect(failure.worker).toBe("worker");
    expect(failure.title).toBe("worker: ECS cannot place the service's tasks");
    expect(failure.incident?.key).toBe("service-action:worker:SERVICE_TASK_PLACEMENT_FAILURE");
    const web = messageOf(
      serviceAction("ecs-service-action-task-placement-failure", `arn:aws:ecs:eu-central-1:1:service/c/${PROD_CONTEXT.serviceName}`),
    );
    expect(web.worker).toBeUndefined();
    expect(web.incident?.key).toBe("service-action:SERVICE_TASK_PLACEMENT_FAILURE");
    const steady = messageOf(serviceAction("ecs-service-action-steady-state", WORKER_ARN));
    expect(steady).toMatchObject({ worker: "worker", title: "worker: ECS reports the service steady again" });
  });

  it.each([
    ["ecs-deployment-in-progress", "info", "worker: ECS deployment ecs-svc/123 in progress"],
    ["ecs-deployment-rollback-in-progress", "warning", "worker: ECS is rolling deployment ecs-svc/123 back"],
    ["ecs-deployment-completed", "info", "worker: ECS deployment ecs-svc/123 completed"],
    ["ecs-deployment-failed", "critical", "worker: ECS deployment ecs-svc/123 failed"],
  ] as const)("its own deployment (%s) is the worker's, with no release thread of the public service", (sample, severity, title) => {
    const event = loadEvent(sample);
    event.resources = [WORKER_ARN];
    const message = messageOf(event);
    expect(message).toMatchObject({ worker: "worker", severity, title, thread: null, incident: null });
    expect(message.offers).toBeUndefined();
    expect(message.facts[0]).toEqual({ label: "Service", value: "worker (a worker: ECS's rolling deployments)" });
    expect(JSON.stringify(message)).not.toMatch(/Release |release /);
  });

  it("its stopped task names the worker as the settings do", () => {
    const event = stoppedTask("crashed");
    Object.assign(event.detail, { group: `service:${WORKER_SERVICE}` });
    const message = messageOf(event);
    expect(message.worker).toBe("worker");
    expect(message.title).toBe("worker: A task crashed (exit code 1)");
  });
});

describe("a worker's incident beside the public service's", () => {
  const PROD = stageSettings("prod", {}).notifications;

  /** The rollback function's notice on the worker's alarm, as run.ts writes it: a step of the alarm's incident. */
  const rollbackStep = (minute: number): OpsMessage => {
    const notice = messageOf(timed(loadEvent("automation-action"), minute, `rollback-${minute}`));
    return {
      ...notice,
      worker: "worker",
      severity: "info",
      thread: null,
      incident: {
        role: "step",
        key: `alarm:${CPU}`,
        did: "Did nothing: WorkerWorkerCpu is worker's own alarm.",
        escalates: false,
        deployments: [],
      },
    };
  };

  it("a worker alarm while the public service's incident is open is a page of its own, and stays out of that incident", async () => {
    const ports = fakePorts();
    const web = await deliver(messageOf(timed(releaseAlarmEvent(), 0, "web-5xx")), ports, PROD);
    const worker = await deliver(messageOf(workerCpuAlarm(2)), ports, PROD);
    expect([web.incident, worker.incident]).toEqual(["opened", "opened"]);
    expect([web.emailReason, worker.emailReason]).toEqual(["page", "page"]);
    const keys = [...ports.store.incidents.keys()].sort();
    expect(keys).toEqual(["alarm:prod-hands-off-ops-Alb5xxRate", `alarm:${CPU}`]);
    const workerIncident = ports.store.incidents.get(`alarm:${CPU}`);
    expect(workerIncident?.lead.title).toBe("worker: WorkerWorkerCpu is in ALARM");
    expect(Object.keys(ports.store.incidents.get("alarm:prod-hands-off-ops-Alb5xxRate")?.members ?? {})).toEqual([
      "alarm:prod-hands-off-ops-Alb5xxRate",
    ]);
    // Each is its scope's newest incident: the reminder sweep (functions/notify.ts) reads one per scope.
    expect(await ports.store.latestOf("prod/hands-off-ops")).toBe("alarm:prod-hands-off-ops-Alb5xxRate");
    expect(await ports.store.latestOf("prod/hands-off-ops/worker")).toBe(`alarm:${CPU}`);
  });

  it("the rollback's step on the worker's alarm joins the worker's incident, whichever arrives first", async () => {
    for (const order of ["alarm first", "step first"] as const) {
      const ports = fakePorts();
      await deliver(messageOf(timed(releaseAlarmEvent(), 0, "web-5xx")), ports, PROD);
      const messages = [messageOf(workerCpuAlarm(2)), rollbackStep(2)];
      for (const message of order === "alarm first" ? messages : messages.reverse()) await deliver(message, ports, PROD);
      const web = ports.store.incidents.get("alarm:prod-hands-off-ops-Alb5xxRate");
      expect(web?.steps, order).toEqual([]);
      const worker = [...ports.store.incidents.values()].find((r) => r.key !== web?.key);
      expect(
        worker?.steps.map((s) => s.text),
        order,
      ).toEqual(["Did nothing: WorkerWorkerCpu is worker's own alarm."]);
      expect(ports.store.incidents.size, order).toBe(2);
    }
  });
});
