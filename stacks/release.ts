import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as codedeploy from "aws-cdk-lib/aws-codedeploy";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as cr from "aws-cdk-lib/custom-resources";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction } from "sst/constructs";
import { suppressLambdaBasics, suppressProviderFramework } from "./nag-suppressions";
import { alarmName } from "./names";
import { grantWildcardOnly, WILDCARD_ONLY_ACTIONS } from "./wildcard-actions";

interface ReleaseWiring {
  app: { stage: string; name: string };
  service: ecs.FargateService;
  /** Production and test listeners, blue and green target groups. */
  traffic: Omit<codedeploy.EcsBlueGreenDeploymentConfig, "terminationWaitTime">;
  release: { canaryPercent: number; canaryMinutes: number; blueTerminationWaitMinutes: number };
  /** The release alarms' ids (names.ts releaseAlarmIds): the synthetic user's only where the stage has one. */
  alarms: string[];
}

/**
 * The CodeDeploy deployment group: traffic shifts by the stage's canary
 * settings, and CodeDeploy rolls back by itself when a release alarm fires,
 * during the deployment and until the old tasks are terminated.
 */
export function releaseThroughCodeDeploy({ app, service, traffic, release, alarms }: ReleaseWiring) {
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
  // Named after the stack (releaseGroupName): the notifier's rule matches these names without a cross-stack export.
  const application = new codedeploy.EcsApplication(stack, "Application", { applicationName: stack.stackName });
  const deploymentGroup = new codedeploy.EcsDeploymentGroup(stack, "DeploymentGroup", {
    application,
    deploymentGroupName: stack.stackName,
    service,
    deploymentConfig,
    // The alarms are created by the Observability stack, which deploys after this one: referenced by name.
    alarms: alarms.map((id) => cloudwatch.Alarm.fromAlarmName(stack, `ReleaseAlarm${id}`, alarmName(app, id))),
    blueGreenDeploymentConfig: { ...traffic, terminationWaitTime: Duration.minutes(release.blueTerminationWaitMinutes) },
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
  /** How long a release may wait at its approval gate for a person (0 without one). */
  approvalMinutes: number;
  /** The function per lifecycle hook; their names go into each release's AppSpec. */
  hooks: Partial<Record<EcsHook, lambda.IFunction>>;
}

/**
 * Custom::Release: when a deploy registers a new task definition revision,
 * start a CodeDeploy deployment of it and make `sst deploy` wait until users
 * are on it (or fail once CodeDeploy has rolled back). CloudFormation itself
 * never changes the service's task definition (aws/aws-cdk#23564); see
 * docs/releases.md.
 */
export function shipNewTaskDefinitions({
  service,
  taskDefinition,
  deploymentGroup,
  containerPort,
  canaryMinutes,
  approvalMinutes,
  hooks,
}: ShipWiring) {
  const stack = Stack.of(service);
  const handler = (id: string, exportName: string) =>
    new SstFunction(stack, id, {
      handler: `functions/release.${exportName}`,
      // CloudFormation polls every 30 s: ~0.2 s of CPU per cold start (bench:lambda) is ~1.5 s at 256 MB, unnoticed. Peak 58 MB.
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
    new iam.PolicyStatement({ actions: ["codedeploy:GetDeployment"], resources: [deploymentGroup.deploymentGroupArn] }),
  );
  grantWildcardOnly(isComplete, ["codedeploy:GetDeploymentTarget"]);

  const provider = new cr.Provider(stack, "ReleaseProvider", {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: Duration.seconds(30),
    // Canary window plus time to start tasks, run the hooks and shift the rest of the traffic, plus the time a release
    // may wait for a person's approval: `sst deploy` must not give up on a release that is still waiting.
    totalTimeout: Duration.minutes(Math.min(120, canaryMinutes + 40 + approvalMinutes)),
    disableWaiterStateMachineLogging: false,
    waiterStateMachineLogOptions: { level: sfn.LogLevel.ALL },
    logGroup: new logs.LogGroup(stack, "ReleaseProviderLogs", {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  suppressProviderFramework(provider);
  scopeWaiterLogWrites(provider);

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
      // A reference, not a literal name: CloudFormation creates the hooks before any release needs them.
      hooks: Object.fromEntries(Object.entries(hooks).map(([hook, fn]) => [hook, fn.functionName])),
    },
  });
  release.node.addDependency(deploymentGroup);
  return release;
}

const LOG_WRITES = ["logs:CreateLogStream", "logs:PutLogEvents"];

/**
 * aws-cdk-lib's waiter state machine grants the whole Step Functions logging
 * list on "*", log writes included, though those two take a log-stream ARN
 * (Service Authorization Reference). Step Functions delivers its logs through
 * log delivery, not through the role's own writes, so the writes are narrowed
 * to the waiter's own log group and the delivery actions stay on "*".
 */
function scopeWaiterLogWrites(provider: cr.Provider) {
  const waiter = provider.node.findChild("waiter-state-machine");
  const role = waiter.node.findChild("Role") as iam.Role;
  const policy = role.node.findChild("DefaultPolicy").node.defaultChild as iam.CfnPolicy;
  // Without a destination in waiterStateMachineLogOptions, the waiter logs to a group of its own.
  const logGroup = waiter.node.findChild("LogGroup") as logs.LogGroup;
  const stack = Stack.of(provider);
  type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
  policy.addPropertyOverride(
    "PolicyDocument",
    Lazy.any({
      produce: () => {
        const document = stack.resolve(policy.policyDocument) as { Version: string; Statement: Statement[] };
        let narrowed = false;
        const statements = document.Statement.map((statement) => {
          const actions = [statement.Action].flat();
          if (statement.Resource !== "*" || !LOG_WRITES.every((a) => actions.includes(a))) return statement;
          narrowed = true;
          const delivery = actions.filter((a) => !LOG_WRITES.includes(a));
          for (const action of delivery) {
            if (!(action in WILDCARD_ONLY_ACTIONS)) throw new Error(`The release waiter's role gained ${action} on "*"`);
          }
          return { ...statement, Action: delivery };
        });
        // The log group's Arn attribute ends in ":*": every stream of that one group.
        if (narrowed) statements.push({ Action: LOG_WRITES, Effect: "Allow", Resource: stack.resolve(logGroup.logGroupArn) });
        return { ...document, Statement: statements };
      },
    }),
  );
}
