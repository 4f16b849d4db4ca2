import { CfnOutput, Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import type { StageSettings } from "./config";
import { grantWildcardOnly, wildcardReason } from "./wildcard-actions";

/** The container name a session opens into (the same as the service's). */
export const SHELL_CONTAINER = "app";

/** Where the ECS Exec agent must write: the app's root file system is read-only (aws/containers-roadmap#1359). */
const AGENT_PATHS = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"];

/**
 * The cluster's ECS Exec settings where the stage has the operator shell:
 * sessions encrypted with a key of the stage, and every session's input and
 * output logged to an encrypted log group. Made before the cluster, which
 * takes them at construction.
 */
export function shellSessions(stack: Stack, settings: StageSettings) {
  if (!settings.shell.enabled) return null;
  const key = new kms.Key(stack, "ShellSessionKey", {
    enableKeyRotation: true,
    description: `ECS Exec sessions and their logs, ${stack.stackName}`,
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const logGroup = new logs.LogGroup(stack, "ShellSessionLogs", {
    encryptionKey: key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const configuration: ecs.ExecuteCommandConfiguration = {
    kmsKey: key,
    logging: ecs.ExecuteCommandLogging.OVERRIDE,
    logConfiguration: { cloudWatchLogGroup: logGroup, cloudWatchEncryptionEnabled: true },
  };
  return { key, logGroup, configuration };
}

interface ShellWiring {
  settings: StageSettings;
  sessions: NonNullable<ReturnType<typeof shellSessions>>;
  cluster: ecs.ICluster;
  /** The service's image, environment and secrets: the shell sees what the service sees. */
  image: ecs.ContainerImage;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  /** Where the service reaches the database: its code reads the password again from Secrets Manager. */
  databaseSecret: secretsmanager.ISecret | null;
  appLogs: logs.ILogGroup;
  /** The service itself: the shell runs in its subnets and security group (read from it by `npm run ops -- shell`). */
  service: ecs.FargateService;
}

/**
 * The operator shell's task: the service's image, environment and secrets,
 * running nothing but a timer (`sessionMinutes`), in the service's subnets
 * and security group. Started by `npm run ops -- shell`, never by the
 * service: no task that serves users is ever entered, and the service keeps
 * ECS Exec off (a CodeDeploy-controlled service cannot change it after
 * creation anyway). The family is what the notifier's rule matches.
 */
export function operatorShell(stack: Stack, wiring: ShellWiring) {
  const { settings, sessions } = wiring;
  const family = `${stack.stackName}-shell`;
  const task = new ecs.FargateTaskDefinition(stack, "ShellTask", {
    family,
    cpu: 256,
    memoryLimitMiB: 512,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  const container = task.addContainer(SHELL_CONTAINER, {
    image: wiring.image,
    essential: true,
    readonlyRootFilesystem: true,
    user: "1000:1000",
    // Nothing serves and nothing migrates: the task waits for the session, then ends by itself.
    command: ["sleep", String(settings.shell.sessionMinutes * 60)],
    environment: { ...wiring.environment, MIGRATE_ON_START: "false" },
    secrets: wiring.secrets,
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: "shell", logGroup: wiring.appLogs }),
    stopTimeout: Duration.seconds(5),
  });
  for (const [i, containerPath] of ["/tmp", ...AGENT_PATHS].entries()) {
    task.addVolume({ name: `writable-${i}` });
    container.addMountPoints({ sourceVolume: `writable-${i}`, containerPath, readOnly: false });
  }
  // The ECS Exec agent: its channels, the session key, and the session log group (aws-cdk-lib grants these only to a
  // service with ECS Exec on, which this stage's service never has).
  grantWildcardOnly(task.taskRole, [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "logs:DescribeLogGroups",
  ]);
  sessions.key.grantDecrypt(task.taskRole);
  // The service's code reads the database password again from Secrets Manager (PGSECRET_ARN) in the shell too.
  wiring.databaseSecret?.grantRead(task.taskRole);
  task.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [sessions.logGroup.logGroupArn],
    }),
  );

  const operators = operatorPolicy(stack, { ...wiring, task, family });
  NagSuppressions.addResourceSuppressions(task, [
    {
      id: "AwsSolutions-ECS2",
      reason: "Only non-secret settings are plain environment variables; credentials come from Secrets Manager as ECS secrets.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    task,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: `${wildcardReason(["ssmmessages:CreateControlChannel", "logs:DescribeLogGroups", "ecr:GetAuthorizationToken"])} The session log group's streams are named by ECS per session.`,
      },
    ],
    true,
  );

  new CfnOutput(stack, "ShellTaskDefinition", { value: family, description: "npm run ops -- shell starts this task family" });
  new CfnOutput(stack, "ShellCluster", { value: wiring.cluster.clusterName });
  new CfnOutput(stack, "ShellOperatorPolicy", {
    value: operators.managedPolicyArn,
    description: "Attach to the people (roles) who may open an operator shell on this stage",
  });
  return { task, family, operators };
}

/**
 * What a person needs to open a shell, and nothing more: start this stage's
 * shell task (passing its two roles), follow it, open a session into it, use
 * the session key, and read the stack's outputs. Attach it to whoever may.
 */
function operatorPolicy(stack: Stack, wiring: ShellWiring & { task: ecs.FargateTaskDefinition; family: string }) {
  const { cluster, task, family, sessions } = wiring;
  const taskArns = stack.formatArn({ service: "ecs", resource: "task", resourceName: `${cluster.clusterName}/*` });
  const policy = new iam.ManagedPolicy(stack, "ShellOperator", {
    description: `Open an operator shell on ${stack.stackName} (npm run ops -- shell)`,
    statements: [
      new iam.PolicyStatement({
        actions: ["ecs:RunTask"],
        resources: [stack.formatArn({ service: "ecs", resource: "task-definition", resourceName: `${family}:*` })],
        conditions: { ArnEquals: { "ecs:cluster": cluster.clusterArn } },
      }),
      new iam.PolicyStatement({ actions: ["iam:PassRole"], resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn] }),
      new iam.PolicyStatement({ actions: ["ecs:DescribeTasks", "ecs:StopTask"], resources: [taskArns] }),
      new iam.PolicyStatement({ actions: ["ecs:DescribeServices"], resources: [wiring.service.serviceArn] }),
      new iam.PolicyStatement({ actions: ["ecs:ExecuteCommand"], resources: [cluster.clusterArn, taskArns] }),
      new iam.PolicyStatement({ actions: ["kms:GenerateDataKey"], resources: [sessions.key.keyArn] }),
      new iam.PolicyStatement({
        actions: ["cloudformation:DescribeStacks"],
        resources: [stack.formatArn({ service: "cloudformation", resource: "stack", resourceName: `${stack.stackName}/*` })],
      }),
    ],
  });
  NagSuppressions.addResourceSuppressions(policy, [
    {
      id: "AwsSolutions-IAM5",
      reason: "Shell tasks get their ids when started: the tasks of this stage's cluster, and the revisions of its shell family only.",
    },
  ]);
  return policy;
}
