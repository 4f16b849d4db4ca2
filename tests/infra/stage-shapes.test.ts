import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { stageTemplates } from "./stage-templates";

describe("prod", () => {
  const prod = stageTemplates("prod");

  it("spreads the network over 3 zones with a NAT gateway in each", () => {
    const network = prod.template("Network");
    network.resourceCountIs("AWS::EC2::Subnet", 9);
    network.resourceCountIs("AWS::EC2::NatGateway", 3);
    network.resourceCountIs("AWS::EC2::FlowLog", 1);
    network.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
  });

  it("protects the database: Multi-AZ, deletion protection, snapshot on delete, 7+ days of backups, TLS only", () => {
    const database = prod.template("Database");
    database.hasResource("AWS::RDS::DBInstance", {
      DeletionPolicy: "Snapshot",
      Properties: Match.objectLike({
        MultiAZ: true,
        DeletionProtection: true,
        StorageEncrypted: true,
        Engine: "postgres",
        EngineVersion: "17",
      }),
    });
    const [instance] = Object.values(database.findResources("AWS::RDS::DBInstance"));
    expect(instance?.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(7);
    database.hasResourceProperties("AWS::RDS::DBParameterGroup", { Parameters: { "rds.force_ssl": "1" } });
  });

  const MASTER_SECRET = /Database:ExportsOutputFnGetAttPostgres\w+MasterUserSecretSecretArn/;
  it("lets RDS keep and rotate the master password: no secret, rotation schedule or rotation app of CDK's", () => {
    const database = prod.template("Database");
    const [instance] = Object.values(database.findResources("AWS::RDS::DBInstance"));
    expect(instance?.Properties.ManageMasterUserPassword).toBe(true);
    expect(instance?.Properties).not.toHaveProperty("MasterUserPassword");
    expect(instance?.Properties.MasterUsername).toBe("app_admin");
    for (const type of ["AWS::SecretsManager::Secret", "AWS::SecretsManager::RotationSchedule", "AWS::Serverless::Application"])
      database.resourceCountIs(type, 0);
    // The tasks read the secret RDS made: its ARN is the instance's MasterUserSecret.SecretArn, exported by Database.
    const [taskDefinition] = Object.values(prod.template("Service").findResources("AWS::ECS::TaskDefinition"));
    const secrets = taskDefinition?.Properties.ContainerDefinitions.flatMap((c: { Secrets?: unknown[] }) => c.Secrets ?? []);
    expect(secrets.map((s: { Name: string }) => s.Name).sort()).toEqual(["PGPASSWORD", "PGUSER"]);
    for (const secret of secrets) expect(JSON.stringify(secret.ValueFrom)).toMatch(MASTER_SECRET);
    // After a rotation the service reads the password again, with its task role (not the execution role).
    const environment = taskDefinition?.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[];
    expect(JSON.stringify(environment.find((e) => e.Name === "PGSECRET_ARN")?.Value)).toMatch(MASTER_SECRET);
    const taskRole = JSON.stringify(taskDefinition?.Properties.TaskRoleArn);
    const reads = Object.values(prod.template("Service").findResources("AWS::IAM::Policy")).filter((p) =>
      taskRole.includes(`"${p.Properties.Roles[0].Ref}"`),
    );
    const statements = reads.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(
      statements.some(
        (st: { Action: string | string[]; Resource: unknown }) =>
          [st.Action].flat().includes("secretsmanager:GetSecretValue") && MASTER_SECRET.test(JSON.stringify(st.Resource)),
      ),
    ).toBe(true);
  });

  it("shifts 10% of traffic for 5 minutes before the rest, and rolls back on alarm", () => {
    const release = prod.template("Service");
    release.hasResourceProperties("AWS::CodeDeploy::DeploymentConfig", {
      ComputePlatform: "ECS",
      TrafficRoutingConfig: { Type: "TimeBasedCanary", TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 5 } },
    });
    release.hasResourceProperties("AWS::CodeDeploy::DeploymentGroup", {
      AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayWith(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]) },
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
      BlueGreenDeploymentConfiguration: Match.objectLike({
        TerminateBlueInstancesOnDeploymentSuccess: { Action: "TERMINATE", TerminationWaitTimeInMinutes: 60 },
      }),
    });
  });
});

describe("dev: network (a preview uses dev's: shared-network.test.ts)", () => {
  it("uses 2 zones and a single NAT gateway", () => {
    const network = stageTemplates("dev").template("Network");
    network.resourceCountIs("AWS::EC2::Subnet", 6);
    network.resourceCountIs("AWS::EC2::NatGateway", 1);
    network.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
  });
});

describe.each(["dev", "pr-123"])("%s (disposable)", (stage) => {
  const templates = stageTemplates(stage);

  it("keeps a small single-AZ database that `sst remove` can delete", () => {
    const database = templates.template("Database");
    database.hasResource("AWS::RDS::DBInstance", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({ MultiAZ: false, DeletionProtection: false, DBInstanceClass: "db.t4g.micro", StorageEncrypted: true }),
    });
    database.hasResourceProperties("AWS::RDS::DBInstance", { ManageMasterUserPassword: true });
  });

  it("releases all at once", () => {
    const release = templates.template("Service");
    release.resourceCountIs("AWS::CodeDeploy::DeploymentConfig", 0);
    release.hasResourceProperties("AWS::CodeDeploy::DeploymentGroup", { DeploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" });
  });
});

describe("staging", () => {
  it("is prod-shaped but smaller: 3 zones, one NAT gateway, single-AZ database kept on delete", () => {
    const staging = stageTemplates("staging");
    staging.template("Network").resourceCountIs("AWS::EC2::NatGateway", 1);
    staging.template("Network").resourceCountIs("AWS::EC2::Subnet", 9);
    staging.template("Database").hasResource("AWS::RDS::DBInstance", {
      DeletionPolicy: "Snapshot",
      Properties: Match.objectLike({ MultiAZ: false, DeletionProtection: true }),
    });
  });
});

describe.each(["prod", "staging", "dev"])("every stage: %s", (stage) => {
  const templates = stageTemplates(stage);

  it("runs the service under the CODE_DEPLOY controller in private subnets, with no public IP", () => {
    templates.template("Service").hasResourceProperties("AWS::ECS::Service", {
      DeploymentController: { Type: "CODE_DEPLOY" },
      LaunchType: "FARGATE",
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: "DISABLED" }) },
    });
  });

  it("lets only the service reach the database, on its port", () => {
    const service = templates.template("Service");
    service.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      IpProtocol: "tcp",
      SourceSecurityGroupId: { "Fn::GetAtt": [Match.stringLikeRegexp("^FargateSecurityGroup"), "GroupId"] },
      GroupId: { "Fn::ImportValue": Match.stringLikeRegexp("Database:ExportsOutputFnGetAttPostgresSecurityGroup") },
    });
    const database = templates.json("Database");
    const inlineIngress = Object.values(database.Resources ?? {}).filter(
      (r) => r.Type === "AWS::EC2::SecurityGroup" && (r.Properties?.SecurityGroupIngress as unknown[] | undefined)?.length,
    );
    expect(inlineIngress).toEqual([]);
  });

  it("puts the WAF web ACL in front of the load balancer", () => {
    const firewall = templates.template("Firewall");
    firewall.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
    firewall.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "REGIONAL",
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesSQLiRuleSet" } } }),
        Match.objectLike({ Name: "RateLimitPerIp", Action: { Block: {} } }),
      ]),
    });
  });
});
