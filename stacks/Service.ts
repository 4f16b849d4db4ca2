import path from "node:path";
import { CustomResource, Duration, RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import * as appscaling from "aws-cdk-lib/aws-applicationautoscaling";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as rds from "aws-cdk-lib/aws-rds";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as cr from "aws-cdk-lib/custom-resources";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { DATABASE_NAME, Database } from "./Database";
import { Network } from "./Network";
import { suppressLambdaBasics, suppressProviderFramework } from "./nag-suppressions";
import { alarmName, RELEASE_ALARMS } from "./names";

/** Port of the ALB listener that only the canary hooks use, to reach the new (green) tasks before users do. */
export const TEST_LISTENER_PORT = 9000;
const SERVICE_DIR = path.resolve("service");

/**
 * The workload: Fargate tasks behind an ALB. The ECS service uses the
 * CODE_DEPLOY controller: after the first deploy, a new image reaches users
 * only through a CodeDeploy blue/green deployment (see the Release stack).
 */
export function Service({ stack, app }: StackContext) {
  const settings = stageSettings(stack.stage);
  const { service: sizing, release } = settings;
  const { vpc } = use(Network);
  const database = use(Database);

  const cluster = new ecs.Cluster(stack, "Cluster", { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

  const taskDefinition = new ecs.FargateTaskDefinition(stack, "Task", {
    family: `${stack.stackName}-app`,
    cpu: sizing.cpu,
    memoryLimitMiB: sizing.memoryMiB,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  // Each new image registers a new revision; the previous ones stay ACTIVE so a release can be rolled back to them.
  taskDefinition.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const logGroup = new logs.LogGroup(stack, "ServiceLogs", {
    retention: sizing.logRetentionDays,
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const container = taskDefinition.addContainer("app", {
    image: ecs.ContainerImage.fromAsset(SERVICE_DIR, { platform: Platform.LINUX_ARM64 }),
    essential: true,
    readonlyRootFilesystem: true,
    user: "1000:1000",
    portMappings: [{ containerPort: sizing.containerPort }],
    environment: {
      PORT: String(sizing.containerPort),
      STAGE: stack.stage,
      PGHOST: database.instance.dbInstanceEndpointAddress,
      PGPORT: database.instance.dbInstanceEndpointPort,
      PGDATABASE: DATABASE_NAME,
      PGSSLMODE: "require",
    },
    secrets: {
      PGUSER: ecs.Secret.fromSecretsManager(database.secret, "username"),
      PGPASSWORD: ecs.Secret.fromSecretsManager(database.secret, "password"),
    },
    healthCheck: {
      command: ["CMD", "node", "dist/healthcheck.js"],
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(20),
    },
    stopTimeout: Duration.seconds(30),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: "app", logGroup }),
  });
  // A read-only root file system still needs somewhere to write temporary files.
  taskDefinition.addVolume({ name: "tmp" });
  container.addMountPoints({ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false });

  const accessLogs = new s3.Bucket(stack, "AccessLogs", {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(sizing.logRetentionDays) }],
    removalPolicy: settings.kind === "production" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: settings.kind !== "production",
  });

  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, "LoadBalancer", {
    vpc,
    internetFacing: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    dropInvalidHeaderFields: true,
    deletionProtection: settings.kind === "production",
  });
  loadBalancer.logAccessLogs(accessLogs, "alb");

  const targetGroup = (id: string) =>
    new elbv2.ApplicationTargetGroup(stack, id, {
      vpc,
      port: sizing.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(15),
      healthCheck: { path: "/health", interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });
  const blueTargetGroup = targetGroup("Blue");
  const greenTargetGroup = targetGroup("Green");

  const listener = settings.domain
    ? loadBalancer.addListener("Https", {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(settings.domain.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [blueTargetGroup],
      })
    : loadBalancer.addListener("Http", { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [blueTargetGroup] });
  if (settings.domain) loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });

  const testListener = loadBalancer.addListener("Test", {
    port: TEST_LISTENER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    defaultTargetGroups: [greenTargetGroup],
    open: false,
  });
  // The hooks run inside the VPC but reach the internet-facing ALB through the NAT gateways, so that is the only source allowed.
  for (const natIp of natPublicIps(vpc)) {
    loadBalancer.connections.allowFrom(ec2.Peer.ipv4(`${natIp}/32`), ec2.Port.tcp(TEST_LISTENER_PORT), "Canary hooks via NAT");
  }

  const service = new ecs.FargateService(stack, "Fargate", {
    cluster,
    taskDefinition,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    desiredCount: sizing.minTasks,
    deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    healthCheckGracePeriod: Duration.seconds(30),
    enableExecuteCommand: false,
  });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  allowDatabaseFrom(service, database.instance);

  const taskCount = scaleTaskCount(service, loadBalancer, settings.service);
  const { deploymentGroup } = releaseThroughCodeDeploy({
    app,
    service,
    listener,
    testListener,
    blueTargetGroup,
    greenTargetGroup,
    release,
  });
  shipNewTaskDefinitions({
    service,
    taskDefinition,
    deploymentGroup,
    containerPort: sizing.containerPort,
    canaryMinutes: release.canaryMinutes,
  });

  NagSuppressions.addResourceSuppressions(accessLogs, [
    { id: "AwsSolutions-S1", reason: "This bucket receives the ALB access logs; logging access to the log bucket itself would recurse." },
  ]);
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
        reason: "ecr:GetAuthorizationToken has no resource-level permissions; image pulls themselves are scoped to the asset repository.",
        appliesTo: ["Resource::*"],
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    loadBalancer,
    [
      {
        id: "AwsSolutions-EC23",
        reason: "The public entry point: open to the internet on the listener ports only, behind the WAF web ACL of the Firewall stack.",
      },
    ],
    true,
  );

  stack.addOutputs({ url: `${settings.domain ? "https" : "http"}://${settings.domain?.name ?? loadBalancer.loadBalancerDnsName}` });

  return {
    cluster,
    service,
    taskDefinition,
    taskCount,
    loadBalancer,
    listener,
    testListener,
    blueTargetGroup,
    greenTargetGroup,
    deploymentGroup,
  };
}

/**
 * Declared in this stack on purpose: the L2 helper would put the rule in the
 * Database stack, which would then depend on this one (a cycle).
 */
function allowDatabaseFrom(service: ecs.FargateService, instance: rds.DatabaseInstance) {
  const [databaseGroup] = instance.connections.securityGroups;
  const [serviceGroup] = service.connections.securityGroups;
  if (!databaseGroup || !serviceGroup) throw new Error("The database and the service must each have a security group");
  new ec2.CfnSecurityGroupIngress(Stack.of(service), "DatabaseFromService", {
    groupId: databaseGroup.securityGroupId,
    sourceSecurityGroupId: serviceGroup.securityGroupId,
    ipProtocol: "tcp",
    fromPort: Token.asNumber(instance.dbInstanceEndpointPort),
    toPort: Token.asNumber(instance.dbInstanceEndpointPort),
    description: "PostgreSQL from the service tasks only",
  });
}

function natPublicIps(vpc: ec2.Vpc): string[] {
  return vpc.publicSubnets.flatMap((subnet) => {
    const eip = subnet.node.tryFindChild("EIP");
    return eip instanceof ec2.CfnEIP ? [eip.attrPublicIp] : [];
  });
}

/**
 * Task count follows CPU and requests per task. Requests are counted on the
 * load balancer, not on a target group: blue and green swap roles with
 * every release, so a policy tied to one group would watch the idle one half
 * of the time.
 */
function scaleTaskCount(
  service: ecs.FargateService,
  loadBalancer: elbv2.ApplicationLoadBalancer,
  sizing: { minTasks: number; maxTasks: number; cpuTargetPercent: number; requestsPerTargetPerMinute: number },
) {
  const stack = Stack.of(service);
  const taskCount = new appscaling.ScalableTarget(stack, "TaskCount", {
    serviceNamespace: appscaling.ServiceNamespace.ECS,
    scalableDimension: "ecs:service:DesiredCount",
    resourceId: `service/${service.cluster.clusterName}/${service.serviceName}`,
    minCapacity: sizing.minTasks,
    maxCapacity: sizing.maxTasks,
  });
  taskCount.scaleToTrackMetric("Cpu", {
    predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
    targetValue: sizing.cpuTargetPercent,
  });
  // Target tracking on metric math has no L2 yet.
  new appscaling.CfnScalingPolicy(stack, "RequestsPerTask", {
    policyName: `${stack.stackName}-requests-per-task`,
    policyType: "TargetTrackingScaling",
    scalingTargetId: taskCount.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: sizing.requestsPerTargetPerMinute,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
      customizedMetricSpecification: {
        metrics: [
          {
            id: "requests",
            returnData: false,
            metricStat: {
              metric: {
                namespace: "AWS/ApplicationELB",
                metricName: "RequestCount",
                dimensions: [{ name: "LoadBalancer", value: loadBalancer.loadBalancerFullName }],
              },
              stat: "Sum",
            },
          },
          {
            id: "tasks",
            returnData: false,
            metricStat: {
              metric: {
                namespace: "ECS/ContainerInsights",
                metricName: "RunningTaskCount",
                dimensions: [
                  { name: "ClusterName", value: service.cluster.clusterName },
                  { name: "ServiceName", value: service.serviceName },
                ],
              },
              stat: "Average",
            },
          },
          { id: "requestsPerTask", expression: "requests / tasks", label: "Requests per task per minute", returnData: true },
        ],
      },
    },
  });
  return taskCount;
}

interface ReleaseWiring {
  app: { stage: string; name: string };
  service: ecs.FargateService;
  listener: elbv2.ApplicationListener;
  testListener: elbv2.ApplicationListener;
  blueTargetGroup: elbv2.ApplicationTargetGroup;
  greenTargetGroup: elbv2.ApplicationTargetGroup;
  release: { canaryPercent: number; canaryMinutes: number; blueTerminationWaitMinutes: number };
}

/**
 * The CodeDeploy deployment group: traffic shifts by the stage's canary
 * settings, and CodeDeploy rolls back by itself when a release alarm fires,
 * during the deployment and until the old tasks are terminated.
 */
function releaseThroughCodeDeploy({ app, service, listener, testListener, blueTargetGroup, greenTargetGroup, release }: ReleaseWiring) {
  const stack = Stack.of(service);
  const deploymentConfig =
    release.canaryPercent === 100
      ? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE
      : new codedeploy.EcsDeploymentConfig(stack, "Canary", {
          trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({
            percentage: release.canaryPercent,
            interval: Duration.minutes(release.canaryMinutes),
          }),
        });
  const application = new codedeploy.EcsApplication(stack, "Application", { applicationName: stack.stackName });
  const deploymentGroup = new codedeploy.EcsDeploymentGroup(stack, "DeploymentGroup", {
    application,
    deploymentGroupName: stack.stackName,
    service,
    deploymentConfig,
    // The alarms are created by the Observability stack, which deploys after this one: referenced by name.
    alarms: RELEASE_ALARMS.map((id) => cloudwatch.Alarm.fromAlarmName(stack, `ReleaseAlarm${id}`, alarmName(app, id))),
    blueGreenDeploymentConfig: {
      listener,
      testListener,
      blueTargetGroup,
      greenTargetGroup,
      terminationWaitTime: Duration.minutes(release.blueTerminationWaitMinutes),
    },
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
  });
  NagSuppressions.addResourceSuppressions(
    deploymentGroup,
    [
      {
        id: "AwsSolutions-IAM4",
        reason:
          "AWSCodeDeployRoleForECS is the policy AWS maintains for ECS blue/green; it tracks the CodeDeploy API and limits hook invocations to CodeDeployHook_* functions.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS"],
      },
    ],
    true,
  );
  return { application, deploymentGroup };
}

interface ShipWiring {
  service: ecs.FargateService;
  taskDefinition: ecs.FargateTaskDefinition;
  deploymentGroup: codedeploy.EcsDeploymentGroup;
  containerPort: number;
  canaryMinutes: number;
}

/**
 * Custom::Release: when a deploy registers a new task definition revision,
 * start a CodeDeploy deployment of it and make `sst deploy` wait until users
 * are on it (or fail once CodeDeploy has rolled back). CloudFormation itself
 * never changes the service's task definition (aws/aws-cdk#23564); see
 * docs/releases.md.
 */
function shipNewTaskDefinitions({ service, taskDefinition, deploymentGroup, containerPort, canaryMinutes }: ShipWiring) {
  const stack = Stack.of(service);
  const handler = (id: string, exportName: string) =>
    new SstFunction(stack, id, {
      handler: `functions/release.${exportName}`,
      runtime: "nodejs22.x",
      architecture: "arm_64",
      memorySize: 256,
      timeout: 60,
      description: `Custom::Release ${exportName}: ships new task definitions of ${stack.stackName} through CodeDeploy`,
    });
  const onEvent = handler("ReleaseOnEvent", "onEvent");
  const isComplete = handler("ReleaseIsComplete", "isComplete");
  suppressLambdaBasics(onEvent);
  suppressLambdaBasics(isComplete);

  const { application } = deploymentGroup;
  onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ["ecs:DescribeServices"], resources: [service.serviceArn] }));
  onEvent.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:CreateDeployment"],
      resources: [deploymentGroup.deploymentGroupArn],
    }),
  );
  onEvent.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:RegisterApplicationRevision", "codedeploy:GetApplicationRevision"],
      resources: [application.applicationArn],
    }),
  );
  onEvent.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:GetDeploymentConfig"],
      resources: [deploymentGroup.deploymentConfig.deploymentConfigArn],
    }),
  );
  isComplete.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["codedeploy:GetDeployment", "codedeploy:GetDeploymentTarget"],
      resources: [deploymentGroup.deploymentGroupArn],
    }),
  );

  const provider = new cr.Provider(stack, "ReleaseProvider", {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: Duration.seconds(30),
    // Canary window plus time to start tasks, run the hooks and shift the rest of the traffic.
    totalTimeout: Duration.minutes(Math.min(120, canaryMinutes + 40)),
    disableWaiterStateMachineLogging: false,
    waiterStateMachineLogOptions: { level: sfn.LogLevel.ALL },
    logGroup: new logs.LogGroup(stack, "ReleaseProviderLogs", {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  suppressProviderFramework(provider);

  const container = taskDefinition.defaultContainer;
  if (!container) throw new Error("The task definition has no container to release");
  const release = new CustomResource(stack, "Release", {
    serviceToken: provider.serviceToken,
    resourceType: "Custom::Release",
    properties: {
      applicationName: application.applicationName,
      deploymentGroupName: deploymentGroup.deploymentGroupName,
      targetId: `${service.cluster.clusterName}:${service.serviceName}`,
      taskDefinitionArn: taskDefinition.taskDefinitionArn,
      containerName: container.containerName,
      containerPort,
      hooks: {},
    },
  });
  release.node.addDependency(deploymentGroup);
  return release;
}
