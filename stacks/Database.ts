import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { Network } from "./Network";

export const DATABASE_NAME = "app";
const MASTER_USER = "app_admin";

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
    credentials: rds.Credentials.fromUsername(MASTER_USER),
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

  const secret = rdsManagedMasterPassword(stack, instance);

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
  return { instance, secret };
}

/**
 * RDS keeps the master password in a Secrets Manager secret of its own and rotates it itself, without a rotation
 * Lambda (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html; every 7 days unless the
 * secret's schedule is changed). CDK's rotation instead deploys a Serverless Application Repository app whose
 * function runtime CDK does not choose: SecretsManagerRDSPostgreSQLRotationSingleUser 1.1.618 in aws-cdk-lib 2.224
 * runs python3.10 (https://github.com/aws/aws-cdk/pull/35528), past Lambda's support since October 2026
 * (https://github.com/aws/aws-cdk/issues/37462). The L2 has no property for it in 2.224: the L1's
 * ManageMasterUserPassword, and the secret CDK generated for the password is dropped.
 */
function rdsManagedMasterPassword(stack: Stack, instance: rds.DatabaseInstance): secretsmanager.ISecret {
  instance.node.tryRemoveChild("Secret");
  const cfn = instance.node.defaultChild as rds.CfnDBInstance;
  cfn.addPropertyDeletionOverride("MasterUserPassword");
  cfn.masterUsername = MASTER_USER; // CDK's read it from the dropped secret
  cfn.manageMasterUserPassword = true;
  return secretsmanager.Secret.fromSecretCompleteArn(stack, "MasterUserSecret", cfn.attrMasterUserSecretSecretArn);
}
