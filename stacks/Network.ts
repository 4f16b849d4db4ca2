import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import type { StackContext } from "sst/constructs";
import { stageSettings } from "./config";

/** The VPC: public subnets for the load balancer, private ones for tasks and Lambdas, isolated ones for the database. */
export function Network({ stack }: StackContext) {
  const { network } = stageSettings(stack.stage);

  const vpc = new ec2.Vpc(stack, "Vpc", {
    ipAddresses: ec2.IpAddresses.cidr(network.cidr),
    // Named explicitly so the template is the same with or without an AWS account at synth time.
    availabilityZones: ["a", "b", "c"].slice(0, network.availabilityZones).map((letter) => `${stack.region}${letter}`),
    natGateways: network.natGateways,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: "isolated", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    restrictDefaultSecurityGroup: true,
  });

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

  return { vpc };
}

/** The NAT gateways' public addresses: where the canary hooks' requests to the load balancer come from. */
export function natPublicIps(vpc: ec2.Vpc): string[] {
  return vpc.publicSubnets.flatMap((subnet) => {
    const eip = subnet.node.tryFindChild("EIP");
    return eip instanceof ec2.CfnEIP ? [eip.attrPublicIp] : [];
  });
}
