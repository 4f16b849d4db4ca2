import type { StageInventory } from "@hands-off-ops/core/cost/estimate";
import type { CloudFormationTemplate } from "./synth-stage";

type Resource = NonNullable<CloudFormationTemplate["Resources"]>[string];

/** What costs money in a stage, read from its synthesized templates (not from the settings: what will be deployed). */
export function inventoryOf(result: { stacks: readonly { template: CloudFormationTemplate }[] }): StageInventory {
  const resources = result.stacks.flatMap((stack) => Object.values(stack.template.Resources ?? {}));
  // The services and their task definitions live in one stack (Service): a Ref is looked up there.
  const serviceStack = result.stacks.find((stack) =>
    Object.values(stack.template.Resources ?? {}).some((r) => r.Type === "AWS::ECS::Service"),
  );
  const byId = serviceStack?.template.Resources ?? {};
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const props = (r: Resource) => (r.Properties ?? {}) as Record<string, unknown>;
  const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);

  const loadBalancers = ofType("AWS::ElasticLoadBalancingV2::LoadBalancer");
  const endpoints = ofType("AWS::EC2::VPCEndpoint").filter((r) => props(r).VpcEndpointType === "Interface");
  const webAcls = ofType("AWS::WAFv2::WebACL");
  const [instance] = ofType("AWS::RDS::DBInstance");
  // Each ECS service with its task definition (the operator shell's task runs on demand, in no service). Under
  // CodeDeploy, the public service's revision is set by the release (not a Ref): it is the stage's first task
  // definition that no other service names.
  const ecsServices = Object.values(byId).filter((r) => r.Type === "AWS::ECS::Service");
  const refOf = (service: Resource) => (props(service).TaskDefinition as { Ref?: string } | undefined)?.Ref;
  const named = new Set(ecsServices.map(refOf));
  const unnamed = Object.entries(byId).find(([id, r]) => r.Type === "AWS::ECS::TaskDefinition" && !named.has(id))?.[1];
  const services = ecsServices.map((service) => {
    const ref = refOf(service);
    const definition = ref ? byId[ref] : unnamed;
    if (!definition) throw new Error("An ECS service whose task definition is not in the stage's templates: nothing to estimate.");
    const task = props(definition);
    const [container] = (task.ContainerDefinitions as { Name?: string }[] | undefined) ?? [];
    return {
      name: String(container?.Name),
      public:
        Array.isArray(props(service).LoadBalancers) || (props(service).DeploymentController as { Type?: string })?.Type === "CODE_DEPLOY",
      vcpu: Number(task.Cpu) / 1024,
      memoryGb: Number(task.Memory) / 1024,
      minTasks: Number(props(service).DesiredCount ?? 0),
      architecture: (task.RuntimePlatform as { CpuArchitecture?: "ARM64" | "X86_64" } | undefined)?.CpuArchitecture ?? "X86_64",
    };
  });
  const publicService = services.find((s) => s.public) ?? services[0];
  if (!publicService) throw new Error("The stage has no ECS service: nothing to estimate.");

  return {
    natGateways: ofType("AWS::EC2::NatGateway").length,
    publicIpv4: ofType("AWS::EC2::EIP").length + loadBalancers.reduce((n, lb) => n + length(props(lb).Subnets), 0),
    loadBalancers: loadBalancers.length,
    interfaceEndpointAzs: endpoints.reduce((n, e) => n + length(props(e).SubnetIds), 0),
    webAcls: webAcls.length,
    wafRules: webAcls.reduce((n, acl) => n + length(props(acl).Rules), 0),
    alarms: ofType("AWS::CloudWatch::Alarm").length,
    dashboards: ofType("AWS::CloudWatch::Dashboard").length,
    canaryRunsPerMonth: ofType("AWS::Synthetics::Canary").map((c) => runsPerMonth(props(c).Schedule)),
    // A master password RDS manages lives in a secret RDS creates, billed as any other (Secrets Manager pricing).
    secrets:
      ofType("AWS::SecretsManager::Secret").length +
      ofType("AWS::RDS::DBInstance").filter((db) => props(db).ManageMasterUserPassword === true).length,
    kmsKeys: ofType("AWS::KMS::Key").length,
    // TableV2 synthesizes a GlobalTable, even in one region.
    dynamoTables: ofType("AWS::DynamoDB::Table").length + ofType("AWS::DynamoDB::GlobalTable").length,
    // Lambda's default memory when a function does not set it.
    lambdaMemoryMb: ofType("AWS::Lambda::Function").map((f) => Number(props(f).MemorySize ?? 128)),
    database: instance
      ? {
          instanceClass: String(props(instance).DBInstanceClass).replace(/^db\./, ""),
          multiAz: props(instance).MultiAZ === true,
          storageGb: Number(props(instance).AllocatedStorage),
          performanceInsights: props(instance).EnablePerformanceInsights === true,
        }
      : null,
    task: { vcpu: publicService.vcpu, memoryGb: publicService.memoryGb },
    architecture: publicService.architecture,
    workers: services
      .filter((s) => s !== publicService)
      .map(({ name, vcpu, memoryGb, minTasks, architecture }) => ({ name, vcpu, memoryGb, minTasks, architecture })),
  };
}

/** A canary's runs in a month of 730 hours, from its schedule's rate expression (rate(5 minutes)). */
function runsPerMonth(schedule: unknown): number {
  const expression = String((schedule as { Expression?: unknown } | undefined)?.Expression ?? "");
  const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
  if (!rate) throw new Error(`A canary's schedule the cost table cannot read: ${expression || "none"}`);
  const minutes = Number(rate[1]) * (rate[2]?.startsWith("hour") ? 60 : 1);
  return Math.floor((730 * 60) / minutes);
}
