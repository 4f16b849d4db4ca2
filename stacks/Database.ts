import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { Network } from "./Network";

export const DATABASE_NAME = "app";

/** PostgreSQL in isolated subnets; only the service's security group may reach it (added by the Service stack). */
export function Database({ stack }: StackContext) {
  const { database, kind } = stageSettings(stack.stage);
  const { vpc } = use(Network);
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });

  const parameters = new rds.ParameterGroup(stack, "Parameters", {
    engine,
    description: "Refuses connections without TLS",
    parameters: { "rds.force_ssl": "1" },
  });

  const instance = new rds.DatabaseInstance(stack, "Postgres", {
    engine,
    instanceType: new ec2.InstanceType(database.instanceType),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    databaseName: DATABASE_NAME,
    credentials: rds.Credentials.fromGeneratedSecret("app_admin"),
    parameterGroup: parameters,
    allocatedStorage: database.allocatedStorageGiB,
    maxAllocatedStorage: database.maxAllocatedStorageGiB,
    storageType: rds.StorageType.GP3,
    storageEncrypted: true,
    // Named, not left to the account's default: the service verifies the server against the G1 roots it carries.
    caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    multiAz: database.multiAz,
    deletionProtection: database.deletionProtection,
    removalPolicy: database.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    backupRetention: Duration.days(database.backupRetentionDays),
    enablePerformanceInsights: database.performanceInsights,
    monitoringInterval: database.monitoringIntervalSeconds > 0 ? Duration.seconds(database.monitoringIntervalSeconds) : undefined,
    cloudwatchLogsExports: ["postgresql", "upgrade"],
    autoMinorVersionUpgrade: true,
    allowMajorVersionUpgrade: false,
  });

  if (database.credentialRotationDays !== null) {
    instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(database.credentialRotationDays),
      // The rotation Lambda needs Secrets Manager, which isolated subnets cannot reach.
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
  }

  NagSuppressions.addResourceSuppressions(instance, [
    {
      id: "AwsSolutions-RDS11",
      reason:
        "The default port is kept: the instance is only reachable from the service's security group, so a non-standard port would add no protection.",
    },
    ...(database.multiAz
      ? []
      : [
          {
            id: "AwsSolutions-RDS3",
            reason: `Single-AZ by the settings of stage ${stack.stage} (a ${kind} database), to keep its cost low.`,
          },
        ]),
    ...(database.deletionProtection
      ? []
      : [{ id: "AwsSolutions-RDS10", reason: `Stage ${stack.stage} is disposable: deletion protection would block \`sst remove\`.` }]),
  ]);
  if (database.monitoringIntervalSeconds > 0) {
    NagSuppressions.addResourceSuppressions(
      instance,
      [
        {
          id: "AwsSolutions-IAM4",
          reason:
            "AmazonRDSEnhancedMonitoringRole is the policy RDS requires for enhanced monitoring; it only writes the RDSOSMetrics log group.",
          appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
        },
      ],
      true,
    );
  }
  if (database.credentialRotationDays === null) {
    NagSuppressions.addResourceSuppressions(
      instance,
      [
        {
          id: "AwsSolutions-SMG4",
          reason: `Stage ${stack.stage} is disposable and short-lived; rotation is enabled on production-shaped stages.`,
        },
      ],
      true,
    );
  }

  const secret = instance.secret;
  if (!secret) throw new Error("The database instance was created without its generated secret");
  return { instance, secret };
}
