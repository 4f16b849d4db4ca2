import { CloudFormationClient, CreateStackCommand, DeleteStackCommand } from "@aws-sdk/client-cloudformation";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { openShell, shellInstructions, startedByOf } from "../../packages/cli/src/ops/shell";
import { awsShellPorts } from "../../packages/cli/src/ops/shell-aws";
import { runCommand } from "../helpers/run-command";
import { MOTO_CLIENT } from "../peers/moto-server";

/**
 * `npm run ops -- shell`: the Service stack's outputs from moto's
 * CloudFormation, the caller from moto's STS. ECS (the service's network, the task) is a stand-in
 * (aws-sdk-client-mock): moto 5.2's RunTask with an awsvpc network
 * configuration fails inside moto ('NetworkInterface' has no
 * 'private_dns_name'), and Session Manager is on no peer at all.
 */

const STACK = "staging-hands-off-ops-Service";
const CLUSTER = "staging-hands-off-ops-Service-Cluster";
const FAMILY = `${STACK}-shell`;
const TASK = `arn:aws:ecs:eu-central-1:123456789012:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const SERVICE = `arn:aws:ecs:eu-central-1:123456789012:service/${CLUSTER}/staging-hands-off-ops-Service-Fargate`;
const ecs = mockClient(ECSClient);
/** The service as ECS describes it: the network the shell task joins. */
const describedService = () =>
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ["subnet-0aaa1111", "subnet-0bbb2222"],
            securityGroups: ["sg-0ccc3333"],
            assignPublicIp: "DISABLED",
          },
        },
      },
    ],
  });
const saved = { ...process.env };
let endpoint: string;

beforeAll(async () => {
  endpoint = inject("motoEndpoint");
  const template = {
    Resources: { Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" } },
    Outputs: {
      ShellTaskDefinition: { Value: FAMILY },
      ShellCluster: { Value: CLUSTER },
      ServiceArn: { Value: SERVICE },
    },
  };
  await new CloudFormationClient({ ...MOTO_CLIENT, endpoint }).send(
    new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(template) }),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_ENDPOINT_URL_STS: endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CLIENT.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CLIENT.credentials.secretAccessKey,
  });
});

afterEach(() => ecs.reset());
afterAll(async () => {
  process.env = saved;
  await new CloudFormationClient({ ...MOTO_CLIENT, endpoint }).send(new DeleteStackCommand({ StackName: STACK })).catch(() => undefined);
});

const agent = (status: string) => [{ name: "app", managedAgents: [{ name: "ExecuteCommandAgent" as const, lastStatus: status }] }];
const quiet = { attempts: 5, delayMs: 1, log: () => {} };

describe("npm run ops -- shell", () => {
  it("starts the stage's shell task with ECS Exec on, in its subnets, naming who opened it; waits for the agent; gives the session line", async () => {
    describedService();
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ lastStatus: "PROVISIONING" }] })
      .resolvesOnce({ tasks: [{ lastStatus: "RUNNING", containers: agent("PENDING") }] })
      .resolves({ tasks: [{ lastStatus: "RUNNING", containers: agent("RUNNING") }] });
    const opened = await openShell("staging", "eu-central-1", awsShellPorts("eu-central-1"), quiet);
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      taskDefinition: FAMILY,
      launchType: "FARGATE",
      count: 1,
      enableExecuteCommand: true,
      // moto's STS answers for its user "moto".
      startedBy: "ops-shell:moto",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-0aaa1111", "subnet-0bbb2222"],
          securityGroups: ["sg-0ccc3333"],
          assignPublicIp: "DISABLED",
        },
      },
    });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(3);
    expect(shellInstructions(opened, "eu-central-1", 60, ["session-manager-plugin"])).toEqual([
      "Cannot open the session here: session-manager-plugin not on PATH.",
      "Open the session (sessions are encrypted and logged):",
      `  aws ecs execute-command --region eu-central-1 --cluster ${CLUSTER} --task 0f1e2d3c4b5a69788796a5b4c3d2e1f0 --container app --interactive --command /bin/sh`,
      "The task ends itself after 60 min; end it sooner:",
      `  aws ecs stop-task --region eu-central-1 --cluster ${CLUSTER} --task 0f1e2d3c4b5a69788796a5b4c3d2e1f0`,
    ]);
  });

  it("says why when the task stops before it can be used, and stops a task that never gets ready", async () => {
    describedService();
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [{ lastStatus: "STOPPED", stoppedReason: "CannotPullContainerError: pull access denied" }] });
    await expect(openShell("staging", "eu-central-1", awsShellPorts("eu-central-1"), quiet)).rejects.toThrow(
      "The shell task stopped before it could be used: CannotPullContainerError: pull access denied",
    );
    ecs.reset();
    describedService();
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: "RUNNING", containers: agent("PENDING") }] });
    ecs.on(StopTaskCommand).resolves({});
    await expect(openShell("staging", "eu-central-1", awsShellPorts("eu-central-1"), quiet)).rejects.toThrow(
      "did not become ready in time",
    );
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input).toMatchObject({ cluster: CLUSTER, task: TASK });
  });

  it("names ECS's own refusal", async () => {
    describedService();
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: "arn:x", reason: "MISSING" }] });
    await expect(openShell("staging", "eu-central-1", awsShellPorts("eu-central-1"), quiet)).rejects.toThrow(
      "ECS did not start the shell task: arn:x MISSING",
    );
  });

  it("refuses a stage without the shell (prod by default), before any AWS call", async () => {
    const { code, stderr } = await runCommand("ops", ["shell", "--stage", "prod"]);
    expect(stderr).toContain("prod has no operator shell (shell.enabled is false, production's default)");
    expect(code).toBe(2);
  });

  it("says what is missing when the stage was deployed without the shell's outputs", async () => {
    const { code, stderr } = await runCommand("ops", ["shell", "--stage", "dev"], {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: MOTO_CLIENT.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CLIENT.credentials.secretAccessKey,
    });
    expect(stderr).toMatch(/Could not open a shell on dev: .*dev-hands-off-ops-Service/);
    expect(code).toBe(1);
  });
});

describe("who opened a shell", () => {
  it("is the user's name or the assumed role's session name, within ECS's 36 characters for startedBy", () => {
    expect(startedByOf("arn:aws:iam::123456789012:user/alice")).toBe("ops-shell:alice");
    expect(startedByOf("arn:aws:sts::123456789012:assumed-role/Oncall/bob@example.com")).toBe("ops-shell:bob@example.com");
    expect(startedByOf("arn:aws:sts::123456789012:assumed-role/Oncall/a-very-long-session-name-of-someone")).toHaveLength(36);
  });
});
