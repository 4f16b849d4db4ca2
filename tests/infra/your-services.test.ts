import { describe, expect, it } from "vitest";
import { stageTemplates } from "./stage-templates";
import { OWN_SERVICE_STAGES, SLEEPING_WEB_AND_WORKER_STAGE, WEB_AND_WORKER_STAGE } from "./synth-all-stages";

// A team's services instead of the sample (examples/http-echo): the templates as `npm run synth` writes them.
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };

const resourcesOf = (stage: string) =>
  Object.fromEntries(
    stageTemplates(stage)
      .allJson()
      .map(({ name, template }) => [name.replace(/^.*-/, ""), (template.Resources ?? {}) as Record<string, Resource>]),
  );
const ofType = (resources: Record<string, Resource> | undefined, type: string) =>
  Object.entries(resources ?? {}).filter(([, r]) => r.Type === type);
const containerOf = (task: Resource) => task.Properties.ContainerDefinitions[0];
const variables = (container: { Environment?: { Name: string }[] }) => (container.Environment ?? []).map((e) => e.Name);

describe.each(Object.values(OWN_SERVICE_STAGES))("the http-echo server alone, without a database (%s)", (stage) => {
  const stacks = resourcesOf(stage);

  it("has no Database stack, no DB instance, no database alarm, events rule or sleep", () => {
    expect(Object.keys(stacks).sort()).toEqual(["Automation", "Firewall", "Network", "Observability", "Service"]);
    for (const resources of Object.values(stacks)) expect(ofType(resources, "AWS::RDS::DBInstance")).toEqual([]);
    const alarms = ofType(stacks.Observability, "AWS::CloudWatch::Alarm").map(([, a]) => String(a.Properties.AlarmName));
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.filter((name) => /Database/.test(name))).toEqual([]);
    const rules = ofType(stacks.Automation, "AWS::Events::Rule").map(([, r]) => JSON.stringify(r.Properties.EventPattern ?? {}));
    expect(rules.filter((pattern) => pattern.includes("aws.rds"))).toEqual([]);
    const policies = JSON.stringify(ofType(stacks.Automation, "AWS::IAM::Policy"));
    expect(policies).not.toMatch(/"rds:/);
  });

  it("runs the echo image as its settings say: its port, its health command, no database variables, arm64", () => {
    const [[, task] = []] = ofType(stacks.Service, "AWS::ECS::TaskDefinition");
    expect(task).toBeDefined();
    const container = containerOf(task as Resource);
    expect(container).toMatchObject({
      Name: "web",
      PortMappings: [{ ContainerPort: 5678 }],
      HealthCheck: { Command: ["CMD", "node", "healthcheck.mjs"] },
      ReadonlyRootFilesystem: true,
    });
    expect(container.User).toBeUndefined();
    expect(container.Secrets).toBeUndefined();
    expect(variables(container)).toEqual(["PORT", "STAGE", "STAGE_KIND"]);
    expect((task as Resource).Properties).toMatchObject({
      Family: expect.stringMatching(/-Service-web$/),
      RuntimePlatform: { CpuArchitecture: "ARM64" },
    });
  });

  it("checks the echo server's health where it answers, on its port", () => {
    const groups = ofType(stacks.Service, "AWS::ElasticLoadBalancingV2::TargetGroup");
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) expect(group.Properties).toMatchObject({ Port: 5678, HealthCheckPath: "/health" });
  });
});

describe(`a web service and a worker (${WEB_AND_WORKER_STAGE})`, () => {
  const stacks = resourcesOf(WEB_AND_WORKER_STAGE);
  const services = ofType(stacks.Service, "AWS::ECS::Service");
  const worker = services.find(([id]) => id.startsWith("WorkerWorker"))?.[1];

  it("deploys both in the stage's cluster: the web service behind the load balancer, the worker with no port", () => {
    expect(services).toHaveLength(2);
    expect(worker).toBeDefined();
    const tasks = ofType(stacks.Service, "AWS::ECS::TaskDefinition").map(([, t]) => containerOf(t));
    expect(tasks.map((c) => c.Name).sort()).toEqual(["web", "worker"]);
    const workerContainer = tasks.find((c) => c.Name === "worker");
    expect(workerContainer).toMatchObject({
      Image: "public.ecr.aws/docker/library/busybox:stable",
      Command: ["sh", "-c", "while true; do sleep 60; done"],
    });
    expect(workerContainer.PortMappings).toBeUndefined();
    expect(workerContainer.HealthCheck).toBeUndefined();
    expect(worker?.Properties.LoadBalancers).toBeUndefined();
    const [web] = services.filter(([id]) => !id.startsWith("Worker"));
    expect(worker?.Properties.Cluster).toEqual(web?.[1].Properties.Cluster);
  });

  it("releases the worker by a rolling deployment that ECS rolls back on failed tasks or the worker's own alarms", () => {
    expect(worker?.Properties).toMatchObject({
      DeploymentController: { Type: "ECS" },
      DesiredCount: 1,
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
    });
    // The alarms ECS watches exist, by those names, in the Observability stack.
    const named = ofType(stacks.Observability, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties.AlarmName);
    const watched: string[] = worker?.Properties.DeploymentConfiguration.Alarms.AlarmNames ?? [];
    expect(watched).toEqual(["prod-hands-off-ops-WorkerWorkerCpu", "prod-hands-off-ops-WorkerWorkerMemory"]);
    for (const name of watched) expect(named).toContain(name);
  });

  it("sizes and scales the worker by its own settings", () => {
    const task = ofType(stacks.Service, "AWS::ECS::TaskDefinition").find(([, t]) => containerOf(t).Name === "worker")?.[1];
    expect(task?.Properties).toMatchObject({ Cpu: "256", Memory: "512", Family: expect.stringMatching(/-Service-worker$/) });
    const targets = ofType(stacks.Service, "AWS::ApplicationAutoScaling::ScalableTarget").filter(([id]) => id.startsWith("WorkerWorker"));
    expect(targets.map(([, t]) => [t.Properties.MinCapacity, t.Properties.MaxCapacity])).toEqual([[1, 2]]);
  });

  it("shows the worker on the stage's dashboard", () => {
    const [[, dashboard] = []] = ofType(stacks.Observability, "AWS::CloudWatch::Dashboard");
    expect(JSON.stringify(dashboard?.Properties.DashboardBody)).toContain("Worker worker: CPU and memory (%)");
  });
});

describe(`a web service and a worker on a stage that sleeps (${SLEEPING_WEB_AND_WORKER_STAGE})`, () => {
  const stacks = resourcesOf(SLEEPING_WEB_AND_WORKER_STAGE);
  const workerId = ofType(stacks.Service, "AWS::ECS::Service").find(([id]) => id.startsWith("WorkerWorker"))?.[0];
  const [functionId, fn] =
    ofType(stacks.Automation, "AWS::Lambda::Function").find(([, r]) => r.Properties.Handler === "functions/schedule.handler") ?? [];
  // The worker's name and ARN (its Ref) as the Automation stack imports them from the Service stack's exports.
  const imported = (output: "Name" | "Ref") => ({
    "Fn::ImportValue": expect.stringMatching(
      new RegExp(`-Service:ExportsOutput${output === "Ref" ? `Ref${workerId}` : `FnGetAtt${workerId}Name`}`),
    ),
  });

  it("tells the schedule function of the worker: its ECS service, its defaults (minTasks, auto scaling) and its size", () => {
    expect(workerId).toBeDefined();
    const variable = fn?.Properties.Environment.Variables.WORKERS;
    // The service's name is known once deployed: a join of the JSON around the import of the worker's name.
    const parts: unknown[] = variable?.["Fn::Join"]?.[1] ?? [];
    expect(parts).toContainEqual(imported("Name"));
    const json = parts.map((part) => (typeof part === "string" ? part : "dev-worker-service")).join("");
    expect(JSON.parse(json)).toEqual([
      {
        name: "worker",
        service: "dev-worker-service",
        defaults: { desiredCount: 1, minCapacity: 1, maxCapacity: 2 },
        vcpu: 0.25,
        memoryGb: 0.5,
      },
    ]);
  });

  it("lets the schedule function describe and scale the worker's service, by its ARN, and read no tag of it", () => {
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const statements = ofType(stacks.Automation, "AWS::IAM::Policy")
      .filter(([, p]) => p.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown }[];
    const onWorker = statements.filter((s) => JSON.stringify(s.Resource).includes(String(workerId)));
    expect(onWorker).toEqual([{ Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: imported("Ref") }]);
    expect(functionId).toBeDefined();
  });
});
