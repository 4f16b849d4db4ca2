import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../service/src/config";
import { stageSettings } from "../../stacks/config";
import { stageTemplates } from "./stage-templates";
import { CUSTOMIZED_SETTINGS, CUSTOMIZED_STAGE, ZONE_STAGE } from "./synth-all-stages";

type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };
const values = (found: Record<string, unknown>) => Object.values(found) as Resource[];
/** The settings each stage was synthesized with. */
const settingsOf = (stage: string) => stageSettings(stage, stage === CUSTOMIZED_STAGE ? CUSTOMIZED_SETTINGS[CUSTOMIZED_STAGE] : {});

describe.each(["prod", "staging", "dev"])("%s: network", (stage) => {
  const { network } = settingsOf(stage);
  const template = stageTemplates(stage).template("Network");

  it("has public, private and isolated subnets in each zone; only public ones give public IPs", () => {
    const subnets = values(template.findResources("AWS::EC2::Subnet"));
    expect(subnets).toHaveLength(3 * network.availabilityZones);
    expect(subnets.filter((s) => s.Properties.MapPublicIpOnLaunch === true)).toHaveLength(network.availabilityZones);
    expect(new Set(subnets.map((s) => s.Properties.AvailabilityZone))).toEqual(
      new Set(["a", "b", "c"].slice(0, network.availabilityZones).map((z) => `eu-central-1${z}`)),
    );
  });

  it("logs all traffic of the VPC", () => {
    template.hasResourceProperties("AWS::EC2::FlowLog", {
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "cloud-watch-logs",
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: network.flowLogRetentionDays });
  });

  it("lets only PostgreSQL from the private subnets into the database subnets, and only replies out (network ACL)", () => {
    const subnets = template.findResources("AWS::EC2::Subnet");
    const cidrsOf = (kind: string) =>
      Object.entries(subnets)
        .filter(([id]) => id.startsWith(`Vpc${kind}Subnet`))
        .map(([, subnet]) => subnet.Properties.CidrBlock as string)
        .sort();
    const [acl, ...others] = Object.keys(template.findResources("AWS::EC2::NetworkAcl"));
    expect(others).toEqual([]);
    const associated = values(template.findResources("AWS::EC2::SubnetNetworkAclAssociation")).map(
      (a) => (a.Properties.SubnetId as { Ref: string }).Ref,
    );
    expect(associated.sort()).toEqual(
      Object.keys(subnets)
        .filter((id) => id.startsWith("VpcisolatedSubnet"))
        .sort(),
    );
    type Entry = {
      NetworkAclId: { Ref: string };
      RuleAction: string;
      Protocol: number;
      Egress: boolean;
      CidrBlock: string;
      PortRange: { From: number; To: number };
    };
    const entries = values(template.findResources("AWS::EC2::NetworkAclEntry")).map((e) => e.Properties as unknown as Entry);
    expect(entries.every((e) => e.NetworkAclId.Ref === acl && e.RuleAction === "allow" && e.Protocol === 6)).toBe(true);
    const rule = (egress: boolean) =>
      entries
        .filter((e) => e.Egress === egress)
        .map((e) => `${e.CidrBlock} ${e.PortRange.From}-${e.PortRange.To}`)
        .sort();
    expect(rule(false)).toEqual(cidrsOf("private").map((cidr) => `${cidr} 5432-5432`));
    expect(rule(true)).toEqual(cidrsOf("private").map((cidr) => `${cidr} 1024-65535`));
    expect(cidrsOf("private")).toHaveLength(network.availabilityZones);
  });
});

describe("prod: VPC endpoints keep image pulls, secrets and logs off the NAT gateways", () => {
  it("has the S3 gateway and the ECR, Secrets Manager and Logs interface endpoints", () => {
    const endpoints = values(stageTemplates("prod").template("Network").findResources("AWS::EC2::VPCEndpoint"));
    const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ["ecr.api", "ecr.dkr", "secretsmanager", "logs", ".s3"])
      expect(
        services.some((s) => s.includes(service)),
        service,
      ).toBe(true);
    expect(
      endpoints.filter((e) => e.Properties.VpcEndpointType === "Interface").every((e) => e.Properties.PrivateDnsEnabled === true),
    ).toBe(true);
  });
});

describe.each(["prod", "dev"])("%s: database", (stage) => {
  const { database } = settingsOf(stage);
  const template = stageTemplates(stage).template("Database");

  it("lives in the isolated subnets", () => {
    const [group] = values(template.findResources("AWS::RDS::DBSubnetGroup"));
    expect(JSON.stringify(group?.Properties.SubnetIds)).toMatch(/isolatedSubnet/);
    expect(JSON.stringify(group?.Properties.SubnetIds)).not.toMatch(/privateSubnet|publicSubnet/);
  });

  it("is encrypted, monitored as the stage says, and logs to CloudWatch", () => {
    template.hasResourceProperties("AWS::RDS::DBInstance", {
      StorageEncrypted: true,
      PubliclyAccessible: false,
      EnablePerformanceInsights: database.performanceInsights,
      EnableCloudwatchLogsExports: ["postgresql", "upgrade"],
      ...(database.monitoringIntervalSeconds > 0 ? { MonitoringInterval: database.monitoringIntervalSeconds } : {}),
    });
  });

  it("has RDS generate the master password and keep it in Secrets Manager", () => {
    template.hasResourceProperties("AWS::RDS::DBInstance", { ManageMasterUserPassword: true, MasterUsername: "app_admin" });
    template.resourceCountIs("AWS::SecretsManager::Secret", 0);
  });
});

describe.each(["prod", "dev", CUSTOMIZED_STAGE])("%s: service", (stage) => {
  const settings = settingsOf(stage);
  const templates = stageTemplates(stage);
  const template = templates.template("Service");

  it("runs in a cluster with Container Insights", () => {
    template.hasResourceProperties("AWS::ECS::Cluster", {
      ClusterSettings: [{ Name: "containerInsights", Value: Match.stringLikeRegexp("enabled|enhanced") }],
    });
  });

  it("runs the container read-only, as a non-root user, with a health check and its logs kept per stage", () => {
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      RequiresCompatibilities: ["FARGATE"],
      RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
      Cpu: String(settings.service.cpu),
      Memory: String(settings.service.memoryMiB),
      ContainerDefinitions: [
        Match.objectLike({
          ReadonlyRootFilesystem: true,
          User: "1000:1000",
          HealthCheck: Match.objectLike({ Command: ["CMD", "node", "dist/healthcheck.js"] }),
          LogConfiguration: Match.objectLike({ LogDriver: "awslogs" }),
          PortMappings: [Match.objectLike({ ContainerPort: settings.service.containerPort })],
        }),
      ],
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: settings.service.logRetentionDays });
  });

  it("gives the container an environment the service accepts: verified TLS to the database, the stage's kind", () => {
    const [taskDefinition] = Object.values(template.findResources("AWS::ECS::TaskDefinition"));
    const [container] = (taskDefinition?.Properties.ContainerDefinitions ?? []) as { Environment: { Name: string; Value: unknown }[] }[];
    // Endpoint address, port and the secret's ARN are resolved at deploy time; text of their shape stands for them here.
    const SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:111111111111:secret:rds!db-0f1e2d3c-AbCdEf";
    const environment = Object.fromEntries(
      (container?.Environment ?? []).map(({ Name, Value }) => [
        Name,
        typeof Value === "string" ? Value : Name.endsWith("_ARN") ? SECRET_ARN : "resolved-at-deploy",
      ]),
    );
    const config = loadConfig(environment);
    expect(config.database).toMatchObject({
      kind: "postgres",
      tls: { mode: "verify-full", ca: { bundle: "aws-rds" } },
      passwordSecretArn: SECRET_ARN,
    });
    expect(config.migrateOnStart).toBe(true);
    expect(environment.STAGE_KIND).toBe(settings.kind);
    templates.template("Database").hasResourceProperties("AWS::RDS::DBInstance", { CACertificateIdentifier: "rds-ca-rsa2048-g1" });
  });

  it("puts an internet-facing load balancer in the public subnets, with access logs", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Scheme: "internet-facing",
      Subnets: Match.arrayWith([Match.objectLike({ "Fn::ImportValue": Match.stringLikeRegexp("publicSubnet") })]),
      LoadBalancerAttributes: Match.arrayWith([
        { Key: "deletion_protection.enabled", Value: String(settings.kind === "production") },
        { Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" },
        { Key: "access_logs.s3.enabled", Value: "true" },
      ]),
    });
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it("checks /health on two IP target groups that drain in 15 s", () => {
    const groups = values(template.findResources("AWS::ElasticLoadBalancingV2::TargetGroup"));
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.Properties).toMatchObject({ HealthCheckPath: "/health", TargetType: "ip", Port: settings.service.containerPort });
      expect(group.Properties.TargetGroupAttributes).toEqual(
        expect.arrayContaining([{ Key: "deregistration_delay.timeout_seconds", Value: "15" }]),
      );
    }
  });

  it("opens the test listener only to the NAT gateways, where the canary hooks come from", () => {
    const ingress = values(template.findResources("AWS::EC2::SecurityGroup")).flatMap(
      (group) => (group.Properties.SecurityGroupIngress as { FromPort: number; CidrIp?: unknown }[] | undefined) ?? [],
    );
    const test = ingress.filter((rule) => rule.FromPort === 9000);
    expect(test).toHaveLength(settings.network.natGateways);
    for (const rule of test) expect(JSON.stringify(rule.CidrIp)).toMatch(/publicSubnet\dEIP\w+PublicIp.*\/32/);
    const open = ingress.filter((rule) => rule.CidrIp === "0.0.0.0/0").map((rule) => rule.FromPort);
    expect(open.sort()).toEqual(settings.domain ? [443, 80] : [80]);
  });

  it("keeps the tasks in private subnets and scales them between the stage's limits on CPU and requests per task", () => {
    template.hasResourceProperties("AWS::ECS::Service", {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          Subnets: Match.arrayWith([Match.objectLike({ "Fn::ImportValue": Match.stringLikeRegexp("privateSubnet") })]),
        }),
      },
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: settings.service.minTasks,
      MaxCapacity: settings.service.maxTasks,
      ScalableDimension: "ecs:service:DesiredCount",
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        TargetValue: settings.service.cpuTargetPercent,
      }),
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: settings.service.requestsPerTargetPerMinute,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([Match.objectLike({ Id: "requestsPerTask", Expression: "requests / tasks", ReturnData: true })]),
        },
      }),
    });
  });
});

describe(`${CUSTOMIZED_STAGE}: a stage with a domain`, () => {
  const template = stageTemplates(CUSTOMIZED_STAGE).template("Service");

  it("makes no certificate and no DNS record: both are the team's own", () => {
    template.resourceCountIs("AWS::CertificateManager::Certificate", 0);
    template.resourceCountIs("AWS::Route53::RecordSet", 0);
  });

  it("serves HTTPS with the configured certificate and redirects HTTP to it", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/0f6a2b4c-1d3e-4f5a-8b9c-0d1e2f3a4b5c" }],
      SslPolicy: Match.stringLikeRegexp("TLS"),
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      DefaultActions: [{ Type: "redirect", RedirectConfig: Match.objectLike({ Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" }) }],
    });
  });
});

describe(`${ZONE_STAGE}: a preview stage in the team's hosted zone`, () => {
  const template = stageTemplates(ZONE_STAGE).template("Service");
  const name = `${ZONE_STAGE}.vote.example.com`;

  it("makes its own certificate for its own name, validated through the zone", () => {
    template.hasResourceProperties("AWS::CertificateManager::Certificate", {
      DomainName: name,
      ValidationMethod: "DNS",
      DomainValidationOptions: [{ DomainName: name, HostedZoneId: "Z0123456789ABCDEFGHIJ" }],
    });
    const [certificateId] = Object.keys(template.findResources("AWS::CertificateManager::Certificate"));
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: certificateId } }],
    });
  });

  it("points its name at the load balancer with an alias A record (no AAAA: the load balancer is IPv4 only)", () => {
    const records = values(template.findResources("AWS::Route53::RecordSet"));
    expect(records.map((r) => [r.Properties.Type, r.Properties.Name, r.Properties.HostedZoneId])).toEqual([
      ["A", `${name}.`, "Z0123456789ABCDEFGHIJ"],
    ]);
    expect(JSON.stringify(records[0]?.Properties)).toContain("AliasTarget");
    expect(values(template.findResources("AWS::ElasticLoadBalancingV2::LoadBalancer"))[0]?.Properties.IpAddressType).toBeUndefined();
  });

  it("serves its https address", () => {
    expect(JSON.stringify(stageTemplates(ZONE_STAGE).json("Service").Outputs)).toContain(`https://${name}`);
  });
});

describe.each(["prod", "dev", CUSTOMIZED_STAGE])("%s: firewall", (stage) => {
  const { firewall, service } = settingsOf(stage);
  const template = stageTemplates(stage).template("Firewall");
  const [acl] = values(template.findResources("AWS::WAFv2::WebACL"));
  const rules = (acl?.Properties.Rules ?? []) as { Name: string; Priority: number; Statement: Record<string, Record<string, unknown>> }[];

  it("runs the AWS managed rule groups the stage asks for, then a per-IP rate limit", () => {
    const managed = rules.flatMap((rule) =>
      rule.Statement.ManagedRuleGroupStatement ? [rule.Statement.ManagedRuleGroupStatement.Name] : [],
    );
    expect(managed).toEqual([
      "AWSManagedRulesAmazonIpReputationList",
      ...(firewall.blockAnonymousIps ? ["AWSManagedRulesAnonymousIpList"] : []),
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "AWSManagedRulesSQLiRuleSet",
    ]);
    expect(rules.at(-1)).toMatchObject({ Name: "RateLimitPerIp", Statement: { RateBasedStatement: { AggregateKeyType: "IP" } } });
    expect(rules.at(-1)?.Statement.RateBasedStatement?.Limit).toBe(firewall.rateLimitPer5MinPerIp);
    expect(rules.map((rule) => rule.Priority)).toEqual(rules.map((_, i) => i));
    expect(acl?.Properties.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
  });

  it("logs to an aws-waf-logs- group with the auth headers redacted", () => {
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: { "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp("^aws-waf-logs-")])] },
      RetentionInDays: service.logRetentionDays,
    });
    template.hasResourceProperties("AWS::WAFv2::LoggingConfiguration", {
      RedactedFields: [{ SingleHeader: { Name: "authorization" } }, { SingleHeader: { Name: "cookie" } }],
    });
  });
});

describe.each(["prod", CUSTOMIZED_STAGE])("%s: the human check on writes", (stage) => {
  const { firewall, domain } = settingsOf(stage);
  const [acl] = values(stageTemplates(stage).template("Firewall").findResources("AWS::WAFv2::WebACL"));
  // biome-ignore lint/suspicious/noExplicitAny: WAF statements are read field by field.
  const rules = (acl?.Properties.Rules ?? []) as { Name: string; Action?: Record<string, unknown>; Statement: Record<string, any> }[];
  const named = (name: string) => rules.find((rule) => rule.Name === name);

  if (firewall.humanCheck.action === "off") {
    it("is off unless the stage turns it on (prod's default): no rule, no CAPTCHA settings", () => {
      expect(named("HumanCheckWrites")).toBeUndefined();
      expect(named("HumanCheckPage")).toBeUndefined();
      expect(acl?.Properties.CaptchaConfig).toBeUndefined();
    });
    return;
  }

  it("asks writes to the API above the stage's rate per address for a solved CAPTCHA", () => {
    const writes = named("HumanCheckWrites");
    expect(writes?.Action).toEqual({ Captcha: {} });
    expect(writes?.Statement.RateBasedStatement).toMatchObject({
      Limit: firewall.humanCheck.writesPer5MinPerIp,
      AggregateKeyType: "IP",
      ScopeDownStatement: {
        AndStatement: {
          Statements: [
            { ByteMatchStatement: { FieldToMatch: { Method: {} }, PositionalConstraint: "EXACTLY", SearchString: "POST" } },
            { ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: "STARTS_WITH", SearchString: "/api/" } },
          ],
        },
      },
    });
  });

  it("shows the check where the voting page sends the person (GET /?human=1), before the rate limit", () => {
    const page = named("HumanCheckPage");
    expect(page?.Action).toEqual({ Captcha: {} });
    expect(JSON.stringify(page?.Statement)).toContain('"SearchString":"human=1"');
    const order = rules.map((rule) => rule.Name);
    expect(order.indexOf("HumanCheckWrites")).toBeLessThan(order.indexOf("RateLimitPerIp"));
  });

  it("keeps a solved check for the stage's immunity time, with its token for the stage's own name", () => {
    expect(acl?.Properties.CaptchaConfig).toEqual({ ImmunityTimeProperty: { ImmunityTime: firewall.humanCheck.immunityMinutes * 60 } });
    expect(acl?.Properties.TokenDomains).toEqual([domain?.name]);
  });
});

describe(`${CUSTOMIZED_STAGE}: allow lists`, () => {
  it("after letting its own canary hooks in, blocks every address outside the allowed IPs, then every country outside the allowed ones", () => {
    const template = stageTemplates(CUSTOMIZED_STAGE).template("Firewall");
    template.hasResourceProperties("AWS::WAFv2::IPSet", { Addresses: ["203.0.113.0/24"], IPAddressVersion: "IPV4", Scope: "REGIONAL" });
    const [acl] = values(template.findResources("AWS::WAFv2::WebACL"));
    const [own, first, second] = (acl?.Properties.Rules ?? []) as Record<string, unknown>[];
    expect(own).toMatchObject({ Name: "OwnNatGateways", Action: { Allow: {} } });
    expect(first).toMatchObject({
      Name: "AllowedIpsOnly",
      Action: { Block: {} },
      Statement: { NotStatement: { Statement: { IPSetReferenceStatement: {} } } },
    });
    expect(second).toMatchObject({
      Name: "AllowedCountriesOnly",
      Action: { Block: {} },
      Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ["DE", "AT"] } } } },
    });
  });
});

describe.each(["prod", CUSTOMIZED_STAGE])("%s: on-call alarms", (stage) => {
  const template = stageTemplates(stage).template("Observability");
  const alarms = values(template.findResources("AWS::CloudWatch::Alarm"));

  it("leaves every alarm's delivery to the notifier (no raw CloudWatch e-mail), with a runbook hint, next to an encrypted on-call topic", () => {
    expect(alarms.map((a) => (a.Properties.AlarmName as string).replace(`${stage}-hands-off-ops-`, "")).sort()).toEqual([
      "Alb5xxRate",
      "DatabaseConnections",
      "DatabaseCpu",
      "DatabaseFreeStorage",
      "ServiceCpu",
      "ServiceMemory",
      ...(stageSettings(stage).synthetics.enabled ? ["SyntheticFlow"] : []),
      "TargetP99Latency",
      "UnhealthyHostsBlue",
      "UnhealthyHostsGreen",
      "WafBlockedSpike",
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.OKActions).toBeUndefined();
      expect(alarm.Properties.AlarmDescription).toMatch(/\. Runbook: .+/);
    }
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("measures the 5xx share of requests, not a raw count", () => {
    const rate = alarms.find((a) => (a.Properties.AlarmName as string).endsWith("Alb5xxRate"));
    expect(rate?.Properties).toMatchObject({
      Threshold: 5,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(rate?.Properties.Metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ Expression: "IF(requests > 0, 100 * errors / requests, 0)", ReturnData: true })]),
    );
  });

  it("subscribes the stage's on-call addresses", () => {
    const emails = values(template.findResources("AWS::SNS::Subscription")).map((s) => s.Properties.Endpoint);
    expect(emails.sort()).toEqual(settingsOf(stage).alerts.emails);
  });

  it("has a dashboard", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });
});

describe.each(["prod", "dev"])("%s: automation state", (stage) => {
  it("keeps state in a table with point-in-time recovery and expiry, and dead letters in an encrypted queue", () => {
    const template = stageTemplates(stage).template("Automation");
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: stage === "prod",
        }),
      ],
    });
    template.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true });
  });
});
