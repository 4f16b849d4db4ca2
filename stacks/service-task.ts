import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import type { StageSettings } from "./config";
import { DATABASE_NAME } from "./Database";
import type { DeployedService } from "./deployed-services";
import { wildcardReason } from "./wildcard-actions";

/** The stage's database, for the services that reach it. */
export interface StageDatabase {
  instance: rds.DatabaseInstance;
  secret: secretsmanager.ISecret;
}

/**
 * One service's task definition, log group and container, from its description: the image (built from its
 * directory for its architecture, or pulled by URI), its variables and secrets, the database's where it reaches it,
 * and its own health check. `idPrefix` keeps the public service's construct ids as they have always been ("Task",
 * "ServiceLogs"), so a stage that names no services deploys the same resources.
 */
export function serviceTask(
  stack: Stack,
  settings: StageSettings,
  service: DeployedService,
  database: StageDatabase | null,
  idPrefix = "",
) {
  const { sizing } = service;
  const arm = service.architecture === "arm64";
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${idPrefix}Task`, {
    family: `${stack.stackName}-${service.name}`,
    cpu: sizing.cpu,
    memoryLimitMiB: sizing.memoryMiB,
    runtimePlatform: {
      cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
  const logGroup = new logs.LogGroup(stack, idPrefix ? `${idPrefix}Logs` : "ServiceLogs", {
    retention: sizing.logRetentionDays,
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const image =
    "directory" in service.image
      ? ecs.ContainerImage.fromAsset(service.image.directory, { platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64 })
      : ecs.ContainerImage.fromRegistry(service.image.uri);
  const reachesDatabase = service.database && database;
  const environment: Record<string, string> = {
    ...(service.port === null ? {} : { PORT: String(service.port) }),
    STAGE: settings.stage,
    STAGE_KIND: settings.kind,
    ...(reachesDatabase
      ? {
          PGHOST: database.instance.dbInstanceEndpointAddress,
          PGPORT: database.instance.dbInstanceEndpointPort,
          PGDATABASE: DATABASE_NAME,
          // RDS rotates the password; a service can read it again from here when PostgreSQL refuses the one it has.
          PGSECRET_ARN: database.secret.secretArn,
        }
      : {}),
    ...service.environment,
  };
  const secrets: Record<string, ecs.Secret> = reachesDatabase
    ? {
        PGUSER: ecs.Secret.fromSecretsManager(database.secret, "username"),
        PGPASSWORD: ecs.Secret.fromSecretsManager(database.secret, "password"),
      }
    : {};
  for (const [variable, { name, key }] of Object.entries(service.secrets)) {
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, `${idPrefix}Secret${variable}`, name);
    secrets[variable] = ecs.Secret.fromSecretsManager(secret, key);
  }
  if (reachesDatabase) database.secret.grantRead(taskDefinition.taskRole);
  const container = taskDefinition.addContainer(service.name, {
    image,
    essential: true,
    readonlyRootFilesystem: service.readOnlyRootFilesystem,
    ...(service.user ? { user: service.user } : {}),
    ...(service.command ? { command: service.command } : {}),
    ...(service.port === null ? {} : { portMappings: [{ containerPort: service.port }] }),
    environment,
    secrets,
    ...(service.health.command
      ? {
          healthCheck: {
            command: service.health.command,
            interval: Duration.seconds(15),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(20),
          },
        }
      : {}),
    stopTimeout: Duration.seconds(30),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: service.name, logGroup }),
  });
  if (service.readOnlyRootFilesystem) {
    // A read-only root file system still needs somewhere to write temporary files.
    taskDefinition.addVolume({ name: "tmp" });
    container.addMountPoints({ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false });
  }
  NagSuppressions.addResourceSuppressions(taskDefinition, [
    {
      id: "AwsSolutions-ECS2",
      reason: "Only non-secret settings are plain environment variables; credentials come from Secrets Manager as ECS secrets.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    taskDefinition,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: wildcardReason(["ecr:GetAuthorizationToken"]),
        appliesTo: ["Resource::*"],
      },
    ],
    true,
  );
  return { taskDefinition, container, image, environment, secrets, logGroup };
}
