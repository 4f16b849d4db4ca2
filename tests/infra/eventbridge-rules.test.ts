import { readFileSync } from "node:fs";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { alarmOfEvent } from "@hands-off-ops/core/rollback/alarm-event";
import { cannotBlameARelease } from "@hands-off-ops/core/rollback/decide";
import { readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RouteError, receiversOf } from "../../packages/cli/src/ops/replay/route";
import { type StageSettings, stageSettings } from "../../stacks/config";
import {
  type AnyEvent,
  backToOk,
  deploymentEvent,
  loadEvent,
  rdsAutoStartEvent,
  rdsEvent,
  releaseAlarmEvent,
  stoppedTask,
} from "../fixtures/events";
import { MOTO_CLIENT } from "../peers/moto-server";
import { stageResources } from "./deployed/stage-resources";
import { TemplateResolver } from "./deployed/template-arns";
import { deployedStage } from "./stage-templates";
import { ECS_SETTINGS, ECS_STAGES, WEB_AND_WORKER_SETTINGS_FILE, WEB_AND_WORKER_STAGE } from "./synth-all-stages";

/**
 * Every stage's EventBridge rules, with their real synthesized patterns, on
 * moto's EventBridge, each rule's target an SQS queue standing for the
 * function the rule invokes. AWS's documented sample events, placed in a
 * stage, go in with PutEvents; what each queue receives is who would have
 * been invoked. All stages share one bus, as they share an account's
 * default bus: an event of one stage must reach that stage only.
 */
const STAGES = ["prod", "staging", "dev", "pr-123"] as const;
type Stage = (typeof STAGES)[number];

let events: EventBridgeClient;
let sqs: SQSClient;
/** Queue URL → "stage function" it stands for. */
const receivers = new Map<string, string>();

type Resource = { Type: string; Properties?: Record<string, unknown> };

beforeAll(async () => {
  const client = { ...MOTO_CLIENT, endpoint: inject("motoEndpoint") };
  events = new EventBridgeClient(client);
  sqs = new SQSClient(client);
  // All stages on the default bus, as they share an account's.
  for (const stage of STAGES) await rulesOnBus(deployedStage(stage), undefined, stage, receivers);
});

afterAll(() => {
  events?.destroy();
  sqs?.destroy();
});

function handlerName(fn: Resource | undefined): string {
  const handler = String(fn?.Properties?.Handler ?? "");
  const match = /^functions\/([\w-]+)\./.exec(handler);
  if (!match) throw new Error(`A rule targets ${handler || "something"} that is not one of functions/`);
  return match[1] as string;
}

/** An EventPattern with CloudFormation expressions (imports of cluster, service, database) in place. */
function resolveDeep(resolver: TemplateResolver, stack: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeep(resolver, stack, item));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) return resolver.resolve(stack, value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(resolver, stack, v)]));
}

/** Puts one event on a bus (the default one, as the stages share it) and returns who received it: "stage function", sorted. */
async function deliver(event: AnyEvent, bus?: { name: string; receivers: Map<string, string> }): Promise<string[]> {
  const { FailedEntryCount } = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          ...(bus ? { EventBusName: bus.name } : {}),
          Source: event.source,
          DetailType: event["detail-type"],
          Detail: JSON.stringify(event.detail),
          Resources: event.resources,
          Time: new Date(event.time),
        },
      ],
    }),
  );
  expect(FailedEntryCount).toBe(0);
  const received = await Promise.all(
    [...(bus?.receivers ?? receivers)].map(async ([QueueUrl, receiver]) => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!Messages?.length) return [];
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
      return Messages.map(() => receiver);
    }),
  );
  return received.flat().sort();
}

/**
 * One stage's rules on moto, each rule's target a queue of its own standing for the functions it invokes: on the
 * default bus, or on a bus of their own (a variant of a stage shares the stage's names).
 */
async function rulesOnBus(deployed: ReturnType<typeof deployedStage>, bus: string | undefined, prefix: string, into: Map<string, string>) {
  if (bus) await events.send(new CreateEventBusCommand({ Name: bus }));
  const onBus = bus ? { EventBusName: bus } : {};
  const resolver = new TemplateResolver(deployed);
  for (const { name: stack, template } of deployed.stacks) {
    const resources = (template.Resources ?? {}) as Record<string, Resource>;
    for (const [logicalId, rule] of Object.entries(resources)) {
      if (rule.Type !== "AWS::Events::Rule" || !rule.Properties?.EventPattern) continue;
      const targets = rule.Properties.Targets as { Arn: { "Fn::GetAtt": [string, string] } }[];
      const name = `${prefix}-${logicalId}`.slice(0, 64);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      into.set(QueueUrl as string, `${deployed.stage} ${targets.map((t) => handlerName(resources[t.Arn["Fn::GetAtt"][0]])).join("+")}`);
      const pattern = JSON.stringify(resolveDeep(resolver, stack, rule.Properties.EventPattern));
      await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, ...onBus }));
      await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "fn", Arn: Attributes?.QueueArn }], ...onBus }));
    }
  }
}

function consoleRoute(event: AnyEvent, settings: StageSettings): string[] {
  try {
    return receiversOf(event, settings, undefined)
      .map((receiver) => `${settings.stage} ${receiver.fn}`)
      .sort();
  } catch (error) {
    if (error instanceof RouteError) return [];
    throw error;
  }
}

/** The AWS samples with the stage's own names in place of the documentation's. */
function placed(stage: Stage) {
  const at = stageResources(deployedStage(stage));
  const group = `${stage}-hands-off-ops-Service`;
  const inGroup = (state: "START" | "SUCCESS" | "FAILURE") => {
    const event = deploymentEvent(state);
    Object.assign(event.detail, { application: group, deploymentGroup: group });
    return event;
  };
  const task = (lastStatus: string) => {
    const event = loadEvent("ecs-task-state-change");
    Object.assign(event.detail, { clusterArn: at.cluster, lastStatus });
    return event;
  };
  const serviceAction = (sample: "ecs-service-action-task-placement-failure" | "ecs-service-action-steady-state") => {
    const event = loadEvent(sample);
    event.resources = [at.service];
    event.detail.clusterArn = at.cluster;
    return event;
  };
  const notice = loadEvent("automation-action");
  notice.detail.stage = stage;
  const alarm = releaseAlarmEvent(stage);
  return {
    "release alarm in ALARM": alarm,
    "release alarm back to OK": backToOk(alarm, "0f2f0a61-3b7e-4e51-9b84-6f5d5c1e0a01", "2026-11-30T03:20:00Z"),
    "deployment START": inGroup("START"),
    "deployment FAILURE": inGroup("FAILURE"),
    "task STOPPED": task("STOPPED"),
    "task RUNNING": task("RUNNING"),
    "service placement failure (ERROR)": serviceAction("ecs-service-action-task-placement-failure"),
    "service steady state (INFO)": serviceAction("ecs-service-action-steady-state"),
    "automation notice": notice,
    "database auto-start after 7 days (RDS-EVENT-0154)": rdsAutoStartEvent(at.databaseIdentifier),
    "database failover completed (RDS-EVENT-0049)": rdsEvent("failoverCompleted", at.databaseIdentifier),
  };
}

describe.each(STAGES)("EventBridge rules of %s on moto, with AWS's sample events", (stage) => {
  const settings = stageSettings(stage, {});
  const watch = settings.canary.watch.enabled;
  const sleeps = settings.schedule.enabled && settings.kind !== "production";
  const to = (...fns: string[]) => fns.map((fn) => `${stage} ${fn}`).sort();
  const expected: Record<keyof ReturnType<typeof placed>, string[]> = {
    "release alarm in ALARM": to("notify", "rollback"),
    "release alarm back to OK": to("notify"),
    "deployment START": watch ? to("notify", "canary-watch") : to("notify"),
    "deployment FAILURE": watch ? to("notify", "canary-watch") : to("notify"),
    "task STOPPED": to("notify"),
    // Running tasks are not news: no rule lets them through.
    "task RUNNING": [],
    "service placement failure (ERROR)": to("notify"),
    // A steady service ends an open incident's capacity and crash signals (the notifier ignores it otherwise).
    "service steady state (INFO)": to("notify"),
    "automation notice": to("notify"),
    // Every stage's notifier hears its database; only a stage that sleeps has the schedule function that answers RDS's automatic start.
    "database auto-start after 7 days (RDS-EVENT-0154)": sleeps ? to("notify", "schedule") : to("notify"),
    "database failover completed (RDS-EVENT-0049)": to("notify"),
  };

  it.each(Object.keys(expected) as (keyof typeof expected)[])("%s reaches exactly its functions, and no other stage's", async (name) => {
    const event = placed(stage)[name];
    expect(await deliver(event)).toEqual(expected[name]);
    // The ops console's routing (npm run ops -- replay) is the same map: what moto delivers, and nothing else.
    expect(consoleRoute(event, settings)).toEqual(expected[name]);
  });
});

describe("events that belong to no stage", () => {
  it("AWS's samples as documented (other accounts' names) reach no function of any stage", async () => {
    const samples = [
      loadEvent("cloudwatch-alarm-single-metric"),
      loadEvent("codedeploy-deployment-state-change"),
      loadEvent("ecs-service-action-task-placement-failure"),
      rdsAutoStartEvent("testdb"),
      rdsEvent("failoverCompleted", "testdb"),
    ];
    for (const sample of samples) expect(await deliver(sample), sample["detail-type"]).toEqual([]);
  });
});

describe("prod with ECS running its releases (release.controller ecs), its rules on a bus of their own", () => {
  const BUS = "prod-with-ecs";
  const ecsReceivers = new Map<string, string>();
  const settings = stageSettings("prod", ECS_SETTINGS.prod);
  const deployed = { ...deployedStage(ECS_STAGES.prod), stage: "prod" };
  /** The service's ARN as deployed (stageResources reads a CodeDeploy stage's names). */
  const serviceArn = () => {
    const service = deployed.stacks.find((s) => s.name.endsWith("-Service"));
    const [id] =
      Object.entries((service?.template.Resources ?? {}) as Record<string, Resource>).find(([, r]) => r.Type === "AWS::ECS::Service") ?? [];
    return new TemplateResolver(deployed).resolve(service?.name as string, { Ref: id }) as string;
  };

  beforeAll(() => rulesOnBus(deployed, BUS, "ecs", ecsReceivers));

  const deliverOnBus = (event: AnyEvent) => deliver(event, { name: BUS, receivers: ecsReceivers });

  it.each([
    "ecs-deployment-in-progress",
    "ecs-deployment-rollback-in-progress",
    "ecs-deployment-completed",
    "ecs-deployment-failed",
  ] as const)("%s of its service reaches the notifier and the canary watch, as the console routes it", async (sample) => {
    const event = loadEvent(sample);
    event.resources = [serviceArn()];
    expect(await deliverOnBus(event)).toEqual(["prod canary-watch", "prod notify"]);
    expect(consoleRoute(event, settings)).toEqual(["prod canary-watch", "prod notify"]);
  });

  it("ECS's samples as documented (another account's service) and CodeDeploy's events reach no function", async () => {
    expect(await deliverOnBus(loadEvent("ecs-deployment-in-progress"))).toEqual([]);
    const group = "prod-hands-off-ops-Service";
    const codeDeploy = deploymentEvent("START");
    Object.assign(codeDeploy.detail, { application: group, deploymentGroup: group });
    expect(await deliverOnBus(codeDeploy)).toEqual([]);
    expect(consoleRoute(codeDeploy, settings)).toEqual([]);
  });
});

describe(`a web service and a worker (${WEB_AND_WORKER_STAGE}), its rules on a bus of their own`, () => {
  const BUS = "prod-web-and-worker";
  const workerReceivers = new Map<string, string>();
  const deployed = { ...deployedStage(WEB_AND_WORKER_STAGE), stage: "prod" };
  const resolver = new TemplateResolver(deployed);
  const stackNamed = (suffix: string) => deployed.stacks.find((s) => s.name.endsWith(`-${suffix}`)) as (typeof deployed.stacks)[number];
  const resourcesOf = (suffix: string) => (stackNamed(suffix).template.Resources ?? {}) as Record<string, Resource>;
  /** The ECS services as deployed: the web service and the worker (construct ids WorkerWorker…). */
  const serviceArn = (worker: boolean) => {
    const [id] =
      Object.entries(resourcesOf("Service")).find(
        ([id, r]) => r.Type === "AWS::ECS::Service" && id.startsWith("WorkerWorker") === worker,
      ) ?? [];
    return resolver.resolve(stackNamed("Service").name, { Ref: id }) as string;
  };
  const clusterArn = () => {
    const [id] = Object.entries(resourcesOf("Service")).find(([, r]) => r.Type === "AWS::ECS::Cluster") ?? [];
    return resolver.resolve(stackNamed("Service").name, { "Fn::GetAtt": [id, "Arn"] }) as string;
  };
  /** A function's environment as deployed (CloudFormation's references in place), by its handler. */
  const environmentOf = (handler: string): Record<string, string> => {
    const [, fn] = Object.entries(resourcesOf("Automation")).find(([, r]) => r.Properties?.Handler === handler) ?? [];
    const variables = (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    return resolveDeep(resolver, stackNamed("Automation").name, variables) as Record<string, string>;
  };
  const notifyContext = () => readNotifyEnvironment({ ...environmentOf("functions/notify.handler"), AWS_REGION: deployed.region }).context;
  const messageOf = (event: AnyEvent) => {
    const normalized = normalize({ ...event, region: deployed.region }, notifyContext());
    if (normalized.kind !== "message") throw new Error(normalized.reason);
    return normalized.message;
  };

  beforeAll(() => rulesOnBus(deployed, BUS, "ww", workerReceivers));

  const deliverOnBus = (event: AnyEvent) => deliver(event, { name: BUS, receivers: workerReceivers });

  /** The worker's CPU alarm (the single-metric sample), as the Observability stack names it. */
  const workerCpu = (state: "ALARM" | "OK") => {
    const event = loadEvent("cloudwatch-alarm-single-metric");
    const name = "prod-hands-off-ops-WorkerWorkerCpu";
    event.resources = [`arn:aws:cloudwatch:${deployed.region}:${deployed.account}:alarm:${name}`];
    Object.assign(event.detail, { alarmName: name });
    event.detail.state.value = state;
    return event;
  };
  const workerTask = () => {
    const event = stoppedTask("crashed");
    const service = serviceArn(true).split("/").at(-1);
    Object.assign(event.detail, { clusterArn: clusterArn(), group: `service:${service}` });
    return event;
  };
  const workerServiceAction = (sample: "ecs-service-action-task-placement-failure" | "ecs-service-action-steady-state") => {
    const event = loadEvent(sample);
    event.resources = [serviceArn(true)];
    event.detail.clusterArn = clusterArn();
    return event;
  };
  const workerDeployment = (sample: "ecs-deployment-in-progress" | "ecs-deployment-rollback-in-progress" | "ecs-deployment-failed") => {
    const event = loadEvent(sample);
    event.resources = [serviceArn(true)];
    return event;
  };

  it("the notifier and the rollback are told the worker, its ECS service and its alarms, as deployed", () => {
    const worker = { name: "worker", ecsService: serviceArn(true).split("/").at(-1), alarms: expect.any(Array) };
    expect(notifyContext().workers).toEqual([worker]);
    const rollback = readRollbackEnvironment({ ...environmentOf("functions/rollback.handler"), AWS_REGION: deployed.region });
    expect(rollback.policy.workers).toEqual(notifyContext().workers);
    // The very alarms ECS's deployment alarms of the worker watch (the Service stack's ECS service).
    const [, service] =
      Object.entries(resourcesOf("Service")).find(([id, r]) => r.Type === "AWS::ECS::Service" && id.startsWith("Worker")) ?? [];
    const watched = (service?.Properties?.DeploymentConfiguration as { Alarms?: { AlarmNames: string[] } } | undefined)?.Alarms?.AlarmNames;
    expect(notifyContext().workers[0]?.alarms).toEqual(watched);
  });

  it("a stopped task of the worker reaches the notifier, which names the worker", async () => {
    const event = workerTask();
    expect(await deliverOnBus(event)).toEqual(["prod notify"]);
    expect(messageOf(event)).toMatchObject({ worker: "worker", title: "worker: A task crashed (exit code 1)" });
  });

  it.each([
    ["ecs-service-action-task-placement-failure", "worker: ECS cannot place the service's tasks"],
    ["ecs-service-action-steady-state", "worker: ECS reports the service steady again"],
  ] as const)("the worker's %s reaches the notifier, which names the worker", async (sample, title) => {
    const event = workerServiceAction(sample);
    expect(await deliverOnBus(event)).toEqual(["prod notify"]);
    expect(messageOf(event)).toMatchObject({ worker: "worker", title });
  });

  it.each([
    ["ecs-deployment-in-progress", "worker: ECS deployment ecs-svc/123 in progress"],
    ["ecs-deployment-rollback-in-progress", "worker: ECS is rolling deployment ecs-svc/123 back"],
    ["ecs-deployment-failed", "worker: ECS deployment ecs-svc/123 failed"],
  ] as const)(
    "the worker's own deployment (%s) reaches the notifier only, named the worker's, no release thread",
    async (sample, title) => {
      const event = workerDeployment(sample);
      // Under CodeDeploy the canary watch hears CodeDeploy's events only: a worker's deployment is no release of the web service.
      expect(await deliverOnBus(event)).toEqual(["prod notify"]);
      expect(messageOf(event)).toMatchObject({ worker: "worker", title, thread: null });
    },
  );

  it("the worker's CPU alarm reaches the notifier and the rollback, which blames no release of the web service", async () => {
    const alarm = workerCpu("ALARM");
    expect(await deliverOnBus(alarm)).toEqual(["prod notify", "prod rollback"]);
    expect(messageOf(alarm)).toMatchObject({ worker: "worker", title: "worker: WorkerWorkerCpu is in ALARM" });
    const rollback = readRollbackEnvironment({ ...environmentOf("functions/rollback.handler"), AWS_REGION: deployed.region });
    const read = alarmOfEvent(alarm, rollback.alarmPrefix);
    if (!("alarm" in read)) throw new Error(read.rejected);
    expect(cannotBlameARelease(read.alarm, rollback.policy)).toMatchObject({ action: "none", reason: "worker-alarm", worker: "worker" });
    // Its OK reaches the notifier alone.
    expect(await deliverOnBus(workerCpu("OK"))).toEqual(["prod notify"]);
  });

  it("the web service's events still reach their functions, named the web service's", async () => {
    const event = loadEvent("ecs-service-action-task-placement-failure");
    event.resources = [serviceArn(false)];
    event.detail.clusterArn = clusterArn();
    expect(await deliverOnBus(event)).toEqual(["prod notify"]);
    expect(messageOf(event).worker).toBeUndefined();
    const settings = JSON.parse(readFileSync(WEB_AND_WORKER_SETTINGS_FILE, "utf8"));
    expect(consoleRoute(event, stageSettings("prod", settings.prod))).toEqual(["prod notify"]);
  });
});
