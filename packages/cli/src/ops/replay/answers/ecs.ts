import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { Answers } from "../recording";
import type { Scenario } from "../scenario";
import { arnOf, capacityOf, setCapacity, type World } from "./world";

/** The service deployment UpdateService starts when the rollback redeploys (release.controller "ecs"). */
export const REPLAY_SERVICE_DEPLOYMENT = "REPLAYROLLBACK0000000";

type Deployment = NonNullable<Scenario["deployments"]["inProgress"]>;

/**
 * ECS as the scenario has it: the service (its counts, tags, task sets), and its service deployments — the ones
 * the rollback reads (scenario.deployments) and the one an ECS event or hook is about (scenario.ecs).
 */
export function ecsAnswers(world: World): Answers {
  const { scenario } = world;
  const deploymentArn = (id: string) => arnOf(world, "ecs", `service-deployment/${world.cluster}/${world.service}/${id}`);
  const revisionArn = (id: string) => arnOf(world, "ecs", `service-revision/${world.cluster}/${world.service}/${id}`);
  const serviceArn = arnOf(world, "ecs", `service/${world.cluster}/${world.service}`);
  const { inProgress, lastSuccess, previousSuccess } = scenario.deployments;
  const started: Deployment[] = [];
  const brief = (d: Deployment, status: string): ServiceDeploymentBrief => ({
    serviceDeploymentArn: deploymentArn(d.deploymentId),
    status: status as never,
    targetServiceRevisionArn: revisionArn(d.deploymentId),
    createdAt: new Date(d.at),
    startedAt: new Date(d.at),
    ...(status === "SUCCESSFUL" ? { finishedAt: new Date(d.at) } : {}),
  });
  const all = () => [lastSuccess, previousSuccess, inProgress, ...started].filter((d): d is Deployment => d !== null);
  return new Answers()
    .set(
      DescribeServicesCommand,
      (input, call) => {
        const asked = input.services ?? [];
        const described = asked.map((name) => {
          const worker = world.workers[name];
          // A worker (its stand-in name): a healthy rolling service at its capacity, no task sets, no tags read.
          if (worker)
            return {
              serviceName: name,
              serviceArn: arnOf(world, "ecs", `service/${world.cluster}/${name}`),
              desiredCount: worker.desiredCount,
              runningCount: worker.desiredCount,
              taskSets: [],
            };
          const running = scenario.service.running ?? world.capacity.desiredCount;
          const serving = lastSuccess?.taskDefinitionArn;
          return {
            serviceName: name,
            serviceArn,
            desiredCount: world.capacity.desiredCount,
            runningCount: running,
            taskSets: [
              ...(serving ? [{ status: "PRIMARY", taskDefinition: serving }] : []),
              ...(scenario.service.releaseInProgress ? [{ status: "ACTIVE", taskDefinition: inProgress?.taskDefinitionArn }] : []),
            ],
            tags: Object.entries(scenario.service.tags).map(([key, value]) => ({ key, value })),
          };
        });
        call.detail += `: ${described.map((d) => `running ${d.runningCount} of ${d.desiredCount} desired tasks`).join("; ")}`;
        return { services: described };
      },
      (input) => `${input.cluster}/${input.services?.join(",")}${input.include?.length ? ` (with ${input.include.join(", ")})` : ""}`,
    )
    .set(
      ListServiceDeploymentsCommand,
      (input, call) => {
        const statuses = (input.status ?? []) as string[];
        let found: ServiceDeploymentBrief[];
        if (!statuses.length) {
          // Without a status: the one an ECS event is about, created just before it.
          const { releaseId, status } = scenario.ecs;
          found = [
            {
              serviceDeploymentArn: deploymentArn(releaseId),
              status: status as never,
              createdAt: new Date(world.now().getTime() - 60_000),
            },
          ];
        } else if (statuses.includes("SUCCESSFUL"))
          found = [lastSuccess, previousSuccess].flatMap((d) => (d ? [brief(d, "SUCCESSFUL")] : []));
        else found = [inProgress, ...started].flatMap((d) => (d ? [brief(d, "IN_PROGRESS")] : []));
        call.detail += `: ${found.map((d) => `${d.serviceDeploymentArn?.split("/").at(-1)} (${d.status})`).join(", ") || "none"}`;
        return { serviceDeployments: found };
      },
      (input) => `${input.service}${input.status?.length ? `, ${input.status.join(" or ")}` : ""}`,
    )
    .set(
      DescribeServiceRevisionsCommand,
      (input) => ({
        serviceRevisions: all()
          .filter((d) => input.serviceRevisionArns?.includes(revisionArn(d.deploymentId)))
          .map((d) => ({ serviceRevisionArn: revisionArn(d.deploymentId), taskDefinition: d.taskDefinitionArn })),
      }),
      (input) => `the task definitions of ${(input.serviceRevisionArns ?? []).length} revision(s)`,
    )
    .set(
      DescribeServiceDeploymentsCommand,
      (input, call) => {
        const arn = input.serviceDeploymentArns?.[0] ?? "";
        const first = scenario.ecs.firstDeployment;
        call.detail += `: ${scenario.ecs.status}, ${first ? "the service's first" : "replaces a running revision"}`;
        return {
          serviceDeployments: [
            {
              serviceDeploymentArn: arn,
              status: scenario.ecs.status as never,
              // The scenario names no revisions: the watch judges without the fast path.
              sourceServiceRevisions: first ? [] : [{ arn: revisionArn("running") }],
            },
          ],
        };
      },
      (input) => (input.serviceDeploymentArns ?? []).map((arn) => arn.split("/").at(-1)).join(", "),
    )
    .set(
      StopServiceDeploymentCommand,
      (input) => ({ serviceDeploymentArn: input.serviceDeploymentArn }),
      (input) => `${input.serviceDeploymentArn?.split("/").at(-1)} with stopType ${input.stopType}`,
    )
    .set(
      UpdateServiceCommand,
      (input) => {
        if (input.taskDefinition)
          started.push({
            deploymentId: REPLAY_SERVICE_DEPLOYMENT,
            taskDefinitionArn: input.taskDefinition,
            at: world.now().toISOString(),
            automaticRollback: false,
          });
        const now =
          input.desiredCount !== undefined
            ? setCapacity(world, input.service, { desiredCount: input.desiredCount })
            : capacityOf(world, input.service);
        return {
          service: { serviceArn: arnOf(world, "ecs", `service/${world.cluster}/${input.service}`), desiredCount: now.desiredCount },
        };
      },
      (input) =>
        `${input.service}${input.taskDefinition ? ` → ${input.taskDefinition}` : ""}${input.desiredCount !== undefined ? ` desired count ${input.desiredCount}` : ""}`,
    )
    .set(
      TagResourceCommand,
      () => ({}),
      (input) => (input.tags ?? []).map((t) => `${t.key}=${t.value}`).join(" "),
    );
}
