import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { ShellPorts } from "./shell";

/** The AWS calls of `npm run ops -- shell`, in the stage's region. */
export function awsShellPorts(region: string): ShellPorts {
  const cloudFormation = new CloudFormationClient({ region });
  const ecs = new ECSClient({ region });
  const sts = new STSClient({ region });
  return {
    async outputs(stackName) {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
    },
    async network(cluster, serviceArn) {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceArn] }));
      const vpc = services?.[0]?.networkConfiguration?.awsvpcConfiguration;
      if (!vpc?.subnets?.length) throw new Error(`the service ${serviceArn} has no network configuration to run the shell in`);
      return { subnets: vpc.subnets, securityGroups: vpc.securityGroups ?? [] };
    },
    async caller() {
      const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
      return Arn ?? "unknown";
    },
    async start(shell) {
      const { tasks, failures } = await ecs.send(
        new RunTaskCommand({
          cluster: shell.cluster,
          taskDefinition: shell.family,
          launchType: "FARGATE",
          count: 1,
          enableExecuteCommand: true,
          startedBy: shell.startedBy,
          networkConfiguration: {
            awsvpcConfiguration: { subnets: shell.subnets, securityGroups: shell.securityGroups, assignPublicIp: "DISABLED" },
          },
        }),
      );
      const arn = tasks?.[0]?.taskArn;
      if (!arn)
        throw new Error(
          `ECS did not start the shell task: ${failures?.map((f) => `${f.arn ?? ""} ${f.reason}`).join("; ") || "no reason given"}`,
        );
      return arn;
    },
    async status(cluster, taskArn) {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
      const task = tasks?.[0];
      const agent = task?.containers?.[0]?.managedAgents?.find((a) => a.name === "ExecuteCommandAgent")?.lastStatus;
      return { lastStatus: task?.lastStatus ?? "UNKNOWN", agent: agent ?? null, stoppedReason: task?.stoppedReason ?? null };
    },
    async stop(cluster, taskArn, reason) {
      await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
    },
  };
}
