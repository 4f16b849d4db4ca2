import type { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import type { StackContext } from "sst/constructs";
import { stageSettings } from "./config";
import { importedNatPublicIps, importSharedNetwork, publishNetwork, stageZones } from "./shared-network";

/**
 * The VPC: public subnets for the load balancer, private ones for tasks and Lambdas, isolated ones for the database.
 * A stage with network.shared (a preview) makes none and uses that stage's (dev's), which publishes it for them.
 */
export function Network({ stack, app }: StackContext): { vpc: ec2.IVpc } {
  const { kind, network } = stageSettings(stack.stage);
  if (network.shared) return { vpc: importSharedNetwork(stack, app.name, stageSettings(network.shared)) };

  const vpc = new ec2.Vpc(stack, "Vpc", {
    ipAddresses: ec2.IpAddresses.cidr(network.cidr),
    availabilityZones: stageZones(stack.region, network.availabilityZones),
    natGateways: network.natGateways,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: "isolated", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    restrictDefaultSecurityGroup: true,
  });

  isolateDatabaseSubnets(stack, vpc);

  const flowLogGroup = new logs.LogGroup(stack, "FlowLogs", { retention: network.flowLogRetentionDays });
  vpc.addFlowLog("FlowLog", {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });

  if (network.vpcEndpoints) {
    // Image pulls, secrets and logs stay inside the VPC: less NAT traffic to pay for, less exposure.
    vpc.addGatewayEndpoint("S3", { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const interfaceEndpoints = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    };
    for (const [id, service] of Object.entries(interfaceEndpoints)) {
      vpc.addInterfaceEndpoint(id, { service, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    }
  }

  if (kind === "development") publishNetwork(stack, app.name, app.stage, vpc, natPublicIps(vpc));
  return { vpc };
}

// RDS for PostgreSQL's default port, which the database instance keeps.
const POSTGRES_PORT = 5432;

/**
 * Defence in depth behind the security groups: the isolated (database) subnets accept PostgreSQL from the private
 * subnets only, and answer them on their ephemeral ports (a network ACL is stateless); everything else is denied by
 * the ACL's closing rule. Nothing in them starts a connection: RDS replicates Multi-AZ and reports outside the VPC.
 */
function isolateDatabaseSubnets(stack: Stack, vpc: ec2.Vpc) {
  const acl = new ec2.NetworkAcl(stack, "DatabaseSubnetsAcl", { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  vpc.privateSubnets.forEach((subnet, index) => {
    const cidr = ec2.AclCidr.ipv4(subnet.ipv4CidrBlock);
    acl.addEntry(`PostgresFromPrivate${index}`, {
      ruleNumber: 100 + index,
      cidr,
      traffic: ec2.AclTraffic.tcpPort(POSTGRES_PORT),
      direction: ec2.TrafficDirection.INGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
    acl.addEntry(`RepliesToPrivate${index}`, {
      ruleNumber: 100 + index,
      cidr,
      traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
      direction: ec2.TrafficDirection.EGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
  });
  NagSuppressions.addResourceSuppressions(
    acl,
    [
      {
        id: "AwsSolutions-VPC3",
        reason:
          "Deliberate: a second layer behind the database's security group, so a misconfigured group alone does not open the database subnets.",
      },
    ],
    true,
  );
}

/** The NAT gateways' public addresses: where the canary hooks' requests to the load balancer come from. */
export function natPublicIps(vpc: ec2.IVpc): string[] {
  const imported = importedNatPublicIps(vpc);
  if (imported) return imported;
  return vpc.publicSubnets.flatMap((subnet) => {
    const eip = subnet.node.tryFindChild("EIP");
    return eip instanceof ec2.CfnEIP ? [eip.attrPublicIp] : [];
  });
}
