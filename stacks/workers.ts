import { RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type { StageSettings } from "./config";
import type { DeployedService } from "./deployed-services";
import { alarmName, workerAlarmIds, workerConstructId } from "./names";
import { scaleOnCpu } from "./scaling";
import { type StageDatabase, serviceTask } from "./service-task";

/** A worker as deployed: what the Observability stack watches of it, and what the sleep schedule scales. */
export interface WorkerDeployment {
  name: string;
  service: ecs.FargateService;
  sizing: DeployedService["sizing"];
}

/**
 * The services that are not public (workers): each its own task definition and ECS service in the stage's
 * cluster, released by ECS itself as a rolling deployment. A new revision whose tasks do not start or stay healthy
 * is rolled back by the deployment circuit breaker; one that starts but then runs hot (its CPU or memory alarm,
 * Observability stack) is rolled back by ECS's deployment alarms. Task count follows CPU between the worker's
 * minTasks and maxTasks. Construct ids start with Worker<Name>, so adding a worker changes nothing else.
 */
export function deployWorkers(
  stack: Stack,
  wiring: {
    app: { stage: string; name: string };
    settings: StageSettings;
    cluster: ecs.Cluster;
    workers: DeployedService[];
    database: StageDatabase | null;
    /** Lets the worker's tasks connect to the database (a rule in this stack, see Service.ts). */
    allowDatabaseFrom: (service: ecs.FargateService, instance: StageDatabase["instance"], id: string) => void;
  },
): WorkerDeployment[] {
  const { app, settings, cluster, database } = wiring;
  return wiring.workers.map((worker) => {
    const id = workerConstructId(worker.name);
    const { taskDefinition } = serviceTask(stack, settings, worker, database, id);
    // As the public service's: the revision a rollback returns to stays ACTIVE after the next deploy.
    taskDefinition.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const service = new ecs.FargateService(stack, `${id}Service`, {
      cluster,
      taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      desiredCount: worker.sizing.minTasks,
      deploymentController: { type: ecs.DeploymentControllerType.ECS },
      // The new tasks start beside the old ones, which stop only once the new are running and healthy.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      // The alarms are created by the Observability stack, which deploys after this one: referenced by name.
      deploymentAlarms: {
        alarmNames: workerAlarmIds(worker.name).map((alarm) => alarmName(app, alarm)),
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      },
      enableExecuteCommand: false,
    });
    if (worker.database && database) wiring.allowDatabaseFrom(service, database.instance, `${id}Database`);
    scaleOnCpu(service, `${id}TaskCount`, worker.sizing);
    return { name: worker.name, service, sizing: worker.sizing };
  });
}
