import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, ECSClient, TagResourceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import {
  DescribeDBInstancesCommand,
  InvalidDBInstanceStateFault,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from "@aws-sdk/client-rds";
import type { AutomationNotice } from "@hands-off-ops/core/notify/sources/automation";
import { rdsDatabasePower } from "@hands-off-ops/core/schedule/aws-database-power";
import { ecsStageCapacity } from "@hands-off-ops/core/schedule/aws-stage-capacity";
import type { SleepRecord } from "@hands-off-ops/core/schedule/plan";
import type { Night, SchedulePorts, SleepLedgerPort } from "@hands-off-ops/core/schedule/ports";
import { mockClient } from "aws-sdk-client-mock";
import { CLUSTER, DB, SERVICE } from "../../fixtures/dev-schedule-environment";

export const ecs = mockClient(ECSClient);
export const scaling = mockClient(ApplicationAutoScalingClient);
export const rds = mockClient(RDSClient);

export { CLUSTER, DB, devEnvironment, SERVICE } from "../../fixtures/dev-schedule-environment";

export function resetMocks() {
  ecs.reset();
  scaling.reset();
  rds.reset();
}

/** A worker of the stage (a non-public ECS service in the same cluster), as the schedule function is told of it. */
export const WORKER = { name: "queue", service: "dev-hands-off-ops-WorkerQueueService" };
/** The WORKERS variable for that worker: 1 task by default (auto scaling 1–3), 0.5 vCPU and 1 GB. */
export const WORKERS = JSON.stringify([
  { ...WORKER, defaults: { desiredCount: 1, minCapacity: 1, maxCapacity: 3 }, vcpu: 0.5, memoryGb: 1 },
]);

interface ServiceState {
  desiredCount: number;
  minCapacity: number;
  maxCapacity: number;
}

/** What AWS holds for the stage; the mocked clients read and change it as the real APIs would. */
export interface AwsState extends ServiceState {
  /** The workers' services, by ECS service name. */
  workers: Record<string, ServiceState>;
  database: string;
  taskSets: number;
  tags: Record<string, string>;
  /** What StopDBInstance leaves behind: "stopped" at once, or "stopping" for a while. */
  stopsTo: "stopped" | "stopping";
}

export function simulateAws(initial: Partial<AwsState> = {}): AwsState {
  const state: AwsState = {
    desiredCount: 1,
    minCapacity: 1,
    maxCapacity: 2,
    database: "available",
    taskSets: 1,
    tags: {},
    stopsTo: "stopped",
    workers: {},
    ...initial,
  };
  const serviceState = (name: string | undefined) => (name === SERVICE ? state : state.workers[name ?? ""]);
  const resourceService = (resourceId: string | undefined) => resourceId?.replace(`service/${CLUSTER}/`, "");
  ecs.on(DescribeServicesCommand).callsFake((input) => ({
    services: (input.services ?? []).flatMap((name: string) => {
      const service = serviceState(name);
      if (!service) return [];
      return [
        {
          serviceName: name,
          serviceArn: `arn:aws:ecs:eu-central-1:123456789012:service/${CLUSTER}/${name}`,
          desiredCount: service.desiredCount,
          ...(name === SERVICE
            ? {
                taskSets: Array.from({ length: state.taskSets }, (_, i) => ({ id: `ecs-svc/${i}`, status: i ? "ACTIVE" : "PRIMARY" })),
                tags: Object.entries(state.tags).map(([key, value]) => ({ key, value })),
              }
            : {}),
        },
      ];
    }),
    failures: (input.services ?? [])
      .filter((name: string) => !serviceState(name))
      .map((name: string) => ({ arn: name, reason: "MISSING" })),
  }));
  ecs.on(TagResourceCommand).callsFake((input) => {
    for (const tag of input.tags ?? []) state.tags[tag.key] = tag.value;
    return {};
  });
  ecs.on(UpdateServiceCommand).callsFake((input) => {
    const service = serviceState(input.service);
    if (!service) throw new Error(`no service ${input.service}`);
    service.desiredCount = input.desiredCount;
    return { service: { desiredCount: input.desiredCount } };
  });
  scaling.on(DescribeScalableTargetsCommand).callsFake((input) => ({
    ScalableTargets: (input.ResourceIds ?? []).flatMap((id: string) => {
      const service = serviceState(resourceService(id));
      return service ? [{ ResourceId: id, MinCapacity: service.minCapacity, MaxCapacity: service.maxCapacity }] : [];
    }),
  }));
  scaling.on(RegisterScalableTargetCommand).callsFake((input) => {
    const service = serviceState(resourceService(input.ResourceId));
    if (!service) throw new Error(`no scalable target ${input.ResourceId}`);
    service.minCapacity = input.MinCapacity;
    service.maxCapacity = input.MaxCapacity;
    return {};
  });
  rds.on(DescribeDBInstancesCommand).callsFake(() => ({ DBInstances: [{ DBInstanceIdentifier: DB, DBInstanceStatus: state.database }] }));
  rds.on(StopDBInstanceCommand).callsFake(() => {
    if (state.database !== "available")
      throw new InvalidDBInstanceStateFault({ message: `DB instance is ${state.database}`, $metadata: {} });
    state.database = state.stopsTo;
    return {};
  });
  rds.on(StartDBInstanceCommand).callsFake(() => {
    if (state.database !== "stopped") throw new InvalidDBInstanceStateFault({ message: `DB instance is ${state.database}`, $metadata: {} });
    state.database = "starting";
    return {};
  });
  return state;
}

export function memorySleepLedger(): SleepLedgerPort & { record_: SleepRecord | null; nightsSlept: Night[] } {
  const ledger = {
    record_: null as SleepRecord | null,
    nightsSlept: [] as Night[],
    current: async () => ledger.record_,
    record: async (record: SleepRecord) => {
      if (ledger.record_) return false;
      ledger.record_ = structuredClone(record);
      return true;
    },
    forget: async () => {
      ledger.record_ = null;
    },
    addNight: async (night: Night) => void ledger.nightsSlept.push(night),
    nights: async (since: Date) => ledger.nightsSlept.filter((night) => night.wokeAt >= since),
  };
  return ledger;
}

/**
 * The real ECS, Application Auto Scaling and RDS adapters on the mocked clients; the ledger, checks and notices in
 * memory. With workers, the stage-capacity adapter is told of them (as the function is, by its WORKERS).
 */
export function stagePorts(workers: { name: string; service: string }[] = []) {
  const notices: AutomationNotice[] = [];
  const rechecks: { when: Date; why: string }[] = [];
  const ledger = memorySleepLedger();
  const ports: SchedulePorts = {
    stage: ecsStageCapacity({ cluster: CLUSTER, service: SERVICE, workers }, new ECSClient({}), new ApplicationAutoScalingClient({})),
    database: rdsDatabasePower(DB, new RDSClient({})),
    canary: null,
    ledger,
    rechecks: {
      at: async (when, why) => {
        const already = rechecks.some((r) => r.when.getTime() === when.getTime());
        rechecks.push({ when, why });
        return already ? "already-scheduled" : "scheduled";
      },
    },
    notify: async (notice) => void notices.push(notice),
  };
  return { ports, notices, rechecks, ledger };
}
