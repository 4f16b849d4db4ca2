import { approvalGateAt } from "@hands-off-ops/core/settings/schema";
import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import type * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import type * as rds from "aws-cdk-lib/aws-rds";
import * as s3 from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { type StackContext, use } from "sst/constructs";
import { canaryHooks, canaryWatch } from "./canary";
import { stageSettings } from "./config";
import { Database } from "./Database";
import { deploySmoke } from "./deploy-smoke";
import { servicesOf } from "./deployed-services";
import { aliasRecords, stageCertificate } from "./domain";
import { Network, natPublicIps } from "./Network";
import { releaseAlarmIds, TEST_LISTENER_PORT } from "./names";
import { releaseThroughCodeDeploy, shipNewTaskDefinitions } from "./release";
import { releaseThroughEcs } from "./release-ecs";
import { scaleTaskCount } from "./scaling";
import { serviceTask } from "./service-task";
import { operatorShell, shellSessions } from "./shell";
import { deployWorkers } from "./workers";

/**
 * The workload: Fargate tasks behind an ALB. By default the ECS service uses the
 * CODE_DEPLOY controller: after the first deploy, a new image reaches users
 * only through a CodeDeploy blue/green deployment. With release.controller
 * "ecs", ECS runs the blue/green or canary release itself (see docs/releases.md).
 */
export function Service({ stack, app }: StackContext) {
  const settings = stageSettings(stack.stage);
  const { service: sizing, release } = settings;
  const { vpc } = use(Network);
  const database = settings.database.enabled ? use(Database) : null;

  const sessions = shellSessions(stack, settings);
  const cluster = new ecs.Cluster(stack, "Cluster", {
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
    ...(sessions ? { executeCommandConfiguration: sessions.configuration } : {}),
  });

  const { web, workers: workerServices } = servicesOf(settings);
  const { taskDefinition, container, image, environment, secrets, logGroup } = serviceTask(stack, settings, web, database);
  // Each new image registers a new revision; the previous ones stay ACTIVE so a release can be rolled back to them.
  taskDefinition.applyRemovalPolicy(RemovalPolicy.RETAIN);
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
      healthCheck: { path: web.health.path, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });
  const blueTargetGroup = targetGroup("Blue");
  const greenTargetGroup = targetGroup("Green");

  const ecsReleases = release.controller === "ecs";
  // Under ECS, traffic goes through one rule per listener (the rules ECS shifts); the default action answers nothing.
  const defaultRoute = ecsReleases
    ? { defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: "text/plain", messageBody: "Not found" }) }
    : { defaultTargetGroups: [blueTargetGroup] };
  const listener = settings.domain
    ? loadBalancer.addListener("Https", {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [stageCertificate(stack, settings.domain)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        ...defaultRoute,
      })
    : loadBalancer.addListener("Http", { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, ...defaultRoute });
  if (settings.domain) {
    loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    aliasRecords(stack, settings.domain, loadBalancer);
  }

  const testListener = loadBalancer.addListener("Test", {
    port: TEST_LISTENER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    ...(ecsReleases ? { defaultAction: defaultRoute.defaultAction } : { defaultTargetGroups: [greenTargetGroup] }),
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
    deploymentController: { type: ecsReleases ? ecs.DeploymentControllerType.ECS : ecs.DeploymentControllerType.CODE_DEPLOY },
    healthCheckGracePeriod: Duration.seconds(30),
    enableExecuteCommand: false,
  });
  if (!ecsReleases) service.attachToApplicationTargetGroup(blueTargetGroup);
  if (database && web.database) allowDatabaseFrom(service, database.instance);
  const workers = deployWorkers(stack, { app, settings, cluster, workers: workerServices, database, allowDatabaseFrom });

  if (sessions)
    operatorShell(stack, {
      settings,
      sessions,
      cluster,
      image,
      environment,
      secrets,
      databaseSecret: web.database ? (database?.secret ?? null) : null,
      appLogs: logGroup,
      service,
    });

  const taskCount = scaleTaskCount(service, loadBalancer, settings.service);
  const host = loadBalancer.loadBalancerDnsName;
  const urls = {
    testUrl: `http://${host}:${TEST_LISTENER_PORT}`,
    productionUrl: settings.domain ? `https://${settings.domain.name}` : `http://${host}`,
  };
  let releases: ServiceReleases;
  let watched: Parameters<typeof canaryWatch>[0]["releases"];
  if (ecsReleases) {
    const everyPath = [elbv2.ListenerCondition.pathPatterns(["/*"])];
    const productionRule = new elbv2.ApplicationListenerRule(stack, "ProductionRule", {
      listener,
      priority: 1,
      conditions: everyPath,
      action: elbv2.ListenerAction.forward([blueTargetGroup]),
    });
    const testRule = new elbv2.ApplicationListenerRule(stack, "TestRule", {
      listener: testListener,
      priority: 1,
      conditions: everyPath,
      action: elbv2.ListenerAction.forward([greenTargetGroup]),
    });
    releaseThroughEcs({
      app,
      settings,
      service,
      containerName: container.containerName,
      containerPort: sizing.containerPort,
      traffic: { productionRule, testRule, productionListener: listener, testListener, blueTargetGroup, greenTargetGroup },
      alarms: releaseAlarmIds(settings),
      vpc,
      urls,
    });
    releases = { controller: "ecs", service };
    watched = { controller: "ecs", productionRule, testRule };
  } else {
    const traffic = { listener, testListener, blueTargetGroup, greenTargetGroup };
    const { deploymentGroup } = releaseThroughCodeDeploy({ app, service, traffic, release, alarms: releaseAlarmIds(settings) });
    const hooks = canaryHooks({ stack, app, settings, vpc, urls });
    releases = { controller: "codedeploy", deploymentGroup };
    watched = releases;
    shipNewTaskDefinitions({
      service,
      taskDefinition,
      deploymentGroup,
      containerPort: sizing.containerPort,
      canaryMinutes: release.canaryMinutes,
      approvalMinutes: approvalGateAt(settings) ? settings.canary.approval.deadlineMinutes : 0,
      hooks,
    });
  }
  canaryWatch({ app, settings, service, loadBalancer, targetGroups: [blueTargetGroup, greenTargetGroup], releases: watched });
  deploySmoke({ stack, app, settings, vpc, productionUrl: urls.productionUrl });

  NagSuppressions.addResourceSuppressions(accessLogs, [
    { id: "AwsSolutions-S1", reason: "This bucket receives the ALB access logs; logging access to the log bucket itself would recurse." },
  ]);
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

  // Here, not beside the schedule: an output that re-exports another stack's export is a cfn-lint warning (W6001).
  new CfnOutput(stack, "ServiceArn", { value: service.serviceArn, description: "Tag keep-awake-until here to keep the stage awake" });
  stack.addOutputs({ url: `${settings.domain ? "https" : "http"}://${settings.domain?.name ?? loadBalancer.loadBalancerDnsName}` });

  return {
    cluster,
    service,
    logGroup,
    taskDefinition,
    taskCount,
    loadBalancer,
    listener,
    testListener,
    blueTargetGroup,
    greenTargetGroup,
    releases,
    workers,
    /** The synthetic user's script, where the stage has one (the Observability stack runs it). */
    syntheticFile: web.syntheticFile,
  };
}

/** Who runs the service's releases, with what the automation acts on: CodeDeploy's group, or the service itself. */
export type ServiceReleases =
  | { controller: "codedeploy"; deploymentGroup: codedeploy.IEcsDeploymentGroup }
  | { controller: "ecs"; service: ecs.FargateService };

/**
 * Declared in this stack on purpose: the L2 helper would put the rule in the
 * Database stack, which would then depend on this one (a cycle).
 */
function allowDatabaseFrom(service: ecs.FargateService, instance: rds.DatabaseInstance, id = "DatabaseFromService") {
  const [databaseGroup] = instance.connections.securityGroups;
  const [serviceGroup] = service.connections.securityGroups;
  if (!databaseGroup || !serviceGroup) throw new Error("The database and the service must each have a security group");
  new ec2.CfnSecurityGroupIngress(Stack.of(service), id, {
    groupId: databaseGroup.securityGroupId,
    sourceSecurityGroupId: serviceGroup.securityGroupId,
    ipProtocol: "tcp",
    fromPort: Token.asNumber(instance.dbInstanceEndpointPort),
    toPort: Token.asNumber(instance.dbInstanceEndpointPort),
    description: "PostgreSQL from the service tasks only",
  });
}
