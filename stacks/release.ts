import type { EcsHook } from "@hands-off-ops/core/release/appspec";
import { RELEASE_PROVIDER, releaseWaitPlan } from "@hands-off-ops/core/release/wait-budget";
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
import { automationFunction } from "./automation-function";
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
  const canary = release.canaryPercent === 100 ? null : canaryConfig(stack, release);
  const deploymentConfig = canary?.byName ?? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE;
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
  // The group names the config literally (canaryConfig): without a reference, the dependency is said explicitly.
  if (canary) deploymentGroup.node.addDependency(canary.config);
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

/**
 * The canary's deployment config, under a name that says its traffic routing. TrafficRoutingConfig is create-only
 * ("Update requires: Replacement",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-codedeploy-deploymentconfig.html),
 * so a new canaryPercent or canaryMinutes is a new config, and a replaced resource with a custom name needs a new
 * name: the settings give it one. The group and the other stacks (the rollback's grant) take that literal name, not
 * a reference to the resource: a reference would be an export whose value changes on replacement, which
 * CloudFormation refuses while another stack imports it
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html).
 */
function canaryConfig(stack: Stack, release: ReleaseWiring["release"]) {
  const name = canaryConfigName(stack.stackName, release);
  const config = new codedeploy.EcsDeploymentConfig(stack, "Canary", {
    deploymentConfigName: name,
    trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({
      percentage: release.canaryPercent,
      interval: Duration.minutes(release.canaryMinutes),
    }),
  });
  return { config, byName: codedeploy.EcsDeploymentConfig.fromEcsDeploymentConfigName(stack, "CanaryByName", name) };
}

/** e.g. prod-hands-off-ops-Service-Canary10Percent5Minutes; CodeDeploy takes 100 characters at most. */
export function canaryConfigName(stackName: string, release: { canaryPercent: number; canaryMinutes: number }): string {
  const name = `${stackName}-Canary${release.canaryPercent}Percent${release.canaryMinutes}Minutes`;
  if (name.length > 100) throw new Error(`The deployment config name ${name} is longer than CodeDeploy's 100 characters`);
  return name;
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
  // CloudFormation waits an hour at most for a custom resource: settings that cannot fit are refused here (wait-budget.ts).
  const plan = releaseWaitPlan({ canaryMinutes, approvalMinutes, hookTimeoutsSeconds: Object.values(hooks).map(timeoutOf) });
  if (!plan.fits) throw new Error(`${stack.stackName}: ${plan.problem}`);
  const handler = (id: string, exportName: string, timeout: number) =>
    automationFunction(stack, id, {
      handler: `functions/release.${exportName}`,
      // CloudFormation polls every 30 s: ~0.12 s of CPU per cold start (bench:lambda) is ~0.85 s at 256 MB, unnoticed. Peak 57 MB.
      memorySize: 256,
      timeout,
      environment: { RELEASE_DEADLINE_SECONDS: String(plan.deadlineSeconds) },
      description: `Custom::Release ${exportName}: ships new task definitions of ${stack.stackName} through CodeDeploy`,
    });
  const onEvent = handler("ReleaseOnEvent", "onEvent", RELEASE_PROVIDER.onEventTimeoutSeconds);
  const isComplete = handler("ReleaseIsComplete", "isComplete", RELEASE_PROVIDER.isCompleteTimeoutSeconds);
  suppressLambdaBasics(onEvent);
  suppressLambdaBasics(isComplete);

  const { application } = deploymentGroup;
  for (const fn of [onEvent, isComplete])
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["ecs:DescribeServices"], resources: [service.serviceArn] }));
  onEvent.addToRolePolicy(
    new iam.PolicyStatement({
      // Start a release; find the group's active one, read it and its target (decideRelease's facts).
      actions: ["codedeploy:CreateDeployment", "codedeploy:ListDeployments", "codedeploy:GetDeployment"],
      resources: [deploymentGroup.deploymentGroupArn],
    }),
  );
  // Stop the active release with rollback, or end its termination wait, when an Update meets it.
  grantWildcardOnly(onEvent, ["codedeploy:GetDeploymentTarget", "codedeploy:StopDeployment", "codedeploy:ContinueDeployment"]);
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
    queryInterval: Duration.seconds(RELEASE_PROVIDER.queryIntervalSeconds),
    // A backstop one poll past the deadline at which isComplete itself fails the release (withinDeadline).
    totalTimeout: Duration.seconds(plan.totalTimeoutSeconds),
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
    // Said, not left to the default: the waits above are counted against it (wait-budget.ts).
    serviceTimeout: Duration.seconds(plan.serviceTimeoutSeconds),
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

/** A hook function's timeout as deployed: CodeDeploy hears from the hook by then, or from nobody. */
function timeoutOf(fn: lambda.IFunction): number {
  const timeout = (fn.node.defaultChild as lambda.CfnFunction | undefined)?.timeout;
  if (typeof timeout !== "number") throw new Error(`The hook ${fn.node.path} has no timeout to count in the release's wait`);
  return timeout;
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
