import { describe, expect, it } from "vitest";
import { stageTemplates } from "./stage-templates";
import { ZONE_STAGE } from "./synth-all-stages";

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = {
  Resources?: Record<string, Resource>;
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
};

// pr-7 keeps a network of its own (network.shared null, synth-all-stages.ts); these two take the default.
const SHARING_PREVIEWS = ["pr-123", ZONE_STAGE];
const DEV_PATH = "/hands-off-ops/dev/network/";
const NETWORK_OF_ITS_OWN = ["AWS::EC2::VPC", "AWS::EC2::NatGateway", "AWS::EC2::EIP", "AWS::EC2::FlowLog", "AWS::EC2::NetworkAcl"];

const all = (stage: string) => stageTemplates(stage).allJson() as { name: string; template: Template }[];
const resources = (template: Template) => Object.entries(template.Resources ?? {});

/** The dev parameter a value of a preview's template comes from: through the Network stack's export to its SSM parameter. */
function devParametersIn(stage: string, value: unknown): string[] {
  const network = stageTemplates(stage).json("Network") as Template;
  const exported = new Map(Object.values(network.Outputs ?? {}).map((o) => [o.Export?.Name, o.Value]));
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (typeof record["Fn::ImportValue"] === "string") {
      walk(exported.get(record["Fn::ImportValue"]));
      return;
    }
    if (typeof record.Ref === "string") {
      const parameter = network.Parameters?.[record.Ref];
      if (parameter?.Type === "AWS::SSM::Parameter::Value<String>" && parameter.Default) names.add(parameter.Default);
    }
    Object.values(record).forEach(walk);
  };
  walk(value);
  return [...names];
}

describe.each(SHARING_PREVIEWS)("%s: in dev's network", (stage) => {
  it("makes no VPC, NAT gateway, elastic IP, flow log or network ACL of its own", () => {
    const types = all(stage).flatMap(({ template }) => resources(template).map(([, r]) => r.Type));
    expect(types.length).toBeGreaterThan(50);
    expect(types.filter((type) => NETWORK_OF_ITS_OWN.includes(type))).toEqual([]);
  });

  it("puts its database, service, load balancer and security groups in dev's subnets and VPC", () => {
    const only = (stack: "Database" | "Service", type: string) =>
      resources(stageTemplates(stage).json(stack) as Template).filter(([, r]) => r.Type === type);
    const [[, subnetGroup] = []] = only("Database", "AWS::RDS::DBSubnetGroup");
    expect(devParametersIn(stage, subnetGroup?.Properties?.SubnetIds)).toEqual([`${DEV_PATH}isolated-subnet-ids`]);
    const [[, service] = []] = only("Service", "AWS::ECS::Service");
    expect(devParametersIn(stage, service?.Properties?.NetworkConfiguration)).toEqual([`${DEV_PATH}private-subnet-ids`]);
    const [[, alb] = []] = only("Service", "AWS::ElasticLoadBalancingV2::LoadBalancer");
    expect(devParametersIn(stage, alb?.Properties?.Subnets)).toEqual([`${DEV_PATH}public-subnet-ids`]);
    const groups = [...only("Database", "AWS::EC2::SecurityGroup"), ...only("Service", "AWS::EC2::SecurityGroup")];
    expect(groups.length).toBeGreaterThan(1);
    for (const [id, group] of groups) expect(devParametersIn(stage, group.Properties?.VpcId), id).toEqual([`${DEV_PATH}vpc-id`]);
    // The hooks reach the test listener through dev's NAT gateway: the load balancer lets its address in.
    const ingress = [
      ...only("Service", "AWS::EC2::SecurityGroup").map(([, g]) => g.Properties?.SecurityGroupIngress),
      ...only("Service", "AWS::EC2::SecurityGroupIngress").map(([, rule]) => rule.Properties?.CidrIp),
    ];
    expect(devParametersIn(stage, ingress)).toEqual([`${DEV_PATH}nat-public-ips`]);
  });

  it("reads exactly the parameters dev's Network stack writes", () => {
    const read = Object.values((stageTemplates(stage).json("Network") as Template).Parameters ?? {})
      .filter((p) => p.Type === "AWS::SSM::Parameter::Value<String>" && p.Default?.startsWith(DEV_PATH))
      .map((p) => p.Default);
    const written = resources(stageTemplates("dev").json("Network") as Template)
      .filter(([, r]) => r.Type === "AWS::SSM::Parameter")
      .map(([, r]) => r.Properties?.Name);
    expect(read.length).toBe(5); // the VPC, its three subnet lists and the NAT addresses; zones come from the settings
    expect(read.sort()).toEqual(written.sort());
  });
});

describe("dev: publishes its network for the previews", () => {
  const network = stageTemplates("dev").json("Network") as Template;
  const written = new Map(
    resources(network)
      .filter(([, r]) => r.Type === "AWS::SSM::Parameter")
      .map(([, r]) => [String(r.Properties?.Name).replace(DEV_PATH, ""), r.Properties?.Value]),
  );
  const refs = (value: unknown) => [...JSON.stringify(value).matchAll(/"Ref":"(\w+)"|"Fn::GetAtt":\["(\w+)"/g)].map((m) => m[1] ?? m[2]);
  const subnetsOf = (type: string) =>
    resources(network)
      .filter(([, r]) => r.Type === "AWS::EC2::Subnet")
      .filter(([, r]) =>
        ((r.Properties?.Tags ?? []) as { Key: string; Value: string }[]).some((t) => t.Key === "aws-cdk:subnet-type" && t.Value === type),
      )
      .map(([id]) => id)
      .sort();

  it("names its own VPC, each kind of subnet and its NAT gateway's elastic IP", () => {
    expect(refs(written.get("vpc-id"))).toEqual(
      resources(network)
        .filter(([, r]) => r.Type === "AWS::EC2::VPC")
        .map(([id]) => id),
    );
    for (const [value, type] of [
      ["public-subnet-ids", "Public"],
      ["private-subnet-ids", "Private"],
      ["isolated-subnet-ids", "Isolated"],
    ] as const) {
      expect(subnetsOf(type), type).toHaveLength(2);
      expect(refs(written.get(value)).sort(), value).toEqual(subnetsOf(type));
    }
    expect(refs(written.get("nat-public-ips"))).toEqual(
      resources(network)
        .filter(([, r]) => r.Type === "AWS::EC2::EIP")
        .map(([id]) => id),
    );
  });

  it("is the only stage that writes them: prod and staging publish nothing", () => {
    for (const stage of ["prod", "staging"])
      expect(resources(stageTemplates(stage).json("Network") as Template).filter(([, r]) => r.Type === "AWS::SSM::Parameter")).toEqual([]);
  });
});

/**
 * The non-production account holds dev, staging and the previews. Amazon VPC quotas: 5 VPCs per Region, the default VPC
 * among them (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html); Amazon EC2: 5 elastic IP
 * addresses per Region (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html).
 */
describe("the regional quotas of the non-production account", () => {
  const QUOTA = 5;
  const count = (stage: string, type: string) =>
    all(stage).reduce((n, { template }) => n + resources(template).filter(([, r]) => r.Type === type).length, 0);

  it.each([
    ["AWS::EC2::VPC", 1],
    ["AWS::EC2::EIP", 0],
  ] as const)("dev, staging and any number of previews fit in five %s per Region", (type, defaultVpc) => {
    const fixed = defaultVpc + count("dev", type) + count("staging", type);
    const perPreview = Math.max(...SHARING_PREVIEWS.map((stage) => count(stage, type)));
    expect(fixed).toBeLessThanOrEqual(QUOTA);
    expect(count("dev", type)).toBe(1);
    for (const previews of [1, 2, 3, 10, 50]) expect(fixed + previews * perPreview, `${previews} previews`).toBeLessThanOrEqual(QUOTA);
  });
});
