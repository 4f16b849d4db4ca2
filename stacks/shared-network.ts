import type { Stack } from "aws-cdk-lib";
import { Fn } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { StageSettings } from "./config";

/**
 * One network for many stages: the owner (dev) publishes its VPC in SSM parameters, a preview builds its view of that
 * VPC from them. Each stage of its own would take a VPC and an elastic IP of the five each a region allows by default
 * (the default VPC counts): https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit.
 *
 * The preview's template names the parameters (AWS::SSM::Parameter::Value<String>): CloudFormation reads them at
 * deploy time, with the caller's credentials, so the synth stays offline and needs no AWS lookup.
 */

/**
 * What a preview needs of the owner's VPC; list values are comma-separated (a String parameter, read as one). The
 * zones are not among them: both stages compute them from the owner's settings (`stageZones`). Nor are the route
 * tables: a preview adds no route and no gateway endpoint, and a parameter no resource reads is one CloudFormation
 * still resolves at every deploy (cfn-lint W2001).
 */
export const SHARED_NETWORK_VALUES = [
  "vpc-id",
  "public-subnet-ids",
  "private-subnet-ids",
  "isolated-subnet-ids",
  "nat-public-ips",
] as const;
type SharedValue = (typeof SHARED_NETWORK_VALUES)[number];

/** The folder of the owner's parameters, e.g. /hands-off-ops/dev/network/ (what a sharing stage's role may read). */
export function sharedNetworkPath(appName: string, owner: string): string {
  return `/${appName}/${owner}/network/`;
}

/** The fixed path of one of the owner's parameters, e.g. /hands-off-ops/dev/network/vpc-id. */
export function sharedNetworkParameter(appName: string, owner: string, value: SharedValue): string {
  return `${sharedNetworkPath(appName, owner)}${value}`;
}

/** A stage's zones, named explicitly so the template is the same with or without an AWS account at synth time. */
export function stageZones(region: string, count: number): string[] {
  return ["a", "b", "c"].slice(0, count).map((letter) => `${region}${letter}`);
}

/** The NAT gateways' public addresses of a VPC this app imported (the owner's), by VPC. */
const importedNatIps = new WeakMap<ec2.IVpc, string[]>();

export function importedNatPublicIps(vpc: ec2.IVpc): string[] | undefined {
  return importedNatIps.get(vpc);
}

/** The owner's side: every value a preview reads, under the owner's fixed path. */
export function publishNetwork(stack: Stack, appName: string, stage: string, vpc: ec2.Vpc, natPublicIps: string[]) {
  const subnets = (list: ec2.ISubnet[]) =>
    Fn.join(
      ",",
      list.map((subnet) => subnet.subnetId),
    );
  const values: Record<SharedValue, string> = {
    "vpc-id": vpc.vpcId,
    "public-subnet-ids": subnets(vpc.publicSubnets),
    "private-subnet-ids": subnets(vpc.privateSubnets),
    "isolated-subnet-ids": subnets(vpc.isolatedSubnets),
    "nat-public-ips": Fn.join(",", natPublicIps),
  };
  for (const [value, stringValue] of Object.entries(values)) {
    new ssm.StringParameter(stack, `Shared-${value}`, {
      parameterName: sharedNetworkParameter(appName, stage, value as SharedValue),
      stringValue,
      description: `The ${stage} network's ${value}, read by the stages that share it`,
    });
  }
}

/**
 * The preview's side: the owner's VPC as this app sees it. The list lengths come from the owner's settings (its zones
 * and NAT gateways), which the same settings file gives both stages. The isolated subnets' network ACL, the flow log
 * and any VPC endpoints are the owner's and cover the whole VPC: a preview adds none (a subnet has one ACL, and an
 * interface endpoint's private DNS name one endpoint per VPC).
 */
export function importSharedNetwork(stack: Stack, appName: string, owner: StageSettings): ec2.IVpc {
  const read = (value: SharedValue) =>
    ssm.StringParameter.valueForStringParameter(stack, sharedNetworkParameter(appName, owner.stage, value));
  const list = (value: SharedValue, length: number) => Fn.split(",", read(value), length);
  const zones = owner.network.availabilityZones;
  const vpc = ec2.Vpc.fromVpcAttributes(stack, "SharedVpc", {
    vpcId: read("vpc-id"),
    availabilityZones: stageZones(owner.region, zones),
    publicSubnetIds: list("public-subnet-ids", zones),
    privateSubnetIds: list("private-subnet-ids", zones),
    isolatedSubnetIds: list("isolated-subnet-ids", zones),
  });
  importedNatIps.set(vpc, list("nat-public-ips", owner.network.natGateways));
  return vpc;
}
