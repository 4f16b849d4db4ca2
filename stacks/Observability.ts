import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { Database } from "./Database";
import { Firewall } from "./Firewall";
import { alarmName, workerAlarmIds } from "./names";
import { Service } from "./Service";
import { syntheticUser } from "./synthetics";

const ONE_MINUTE = Duration.minutes(1);

/** The on-call topic, one alarm per symptom a person would act on, and a dashboard of the same metrics. */
export function Observability({ stack, app }: StackContext) {
  const settings = stageSettings(stack.stage);
  const { alerts, database: dbSettings } = settings;
  const { loadBalancer, blueTargetGroup, greenTargetGroup, service, workers, syntheticFile } = use(Service);
  const instance = settings.database.enabled ? use(Database).instance : null;
  const { webAclName } = use(Firewall);

  // CloudWatch can only publish to an encrypted topic whose key it may use; an AWS-managed key would not allow that.
  const topicKey = new kms.Key(stack, "OnCallTopicKey", { enableKeyRotation: true, description: `On-call topic of ${stack.stackName}` });
  topicKey.grant(new iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
  const onCallTopic = new sns.Topic(stack, "OnCall", { displayName: `${stack.stage} on-call`, masterKey: topicKey, enforceSSL: true });
  for (const email of alerts.emails) onCallTopic.addSubscription(new subscriptions.EmailSubscription(email));
  // enforceSSL writes a topic policy that holds only a Deny, and a topic policy replaces SNS's default one, so
  // CloudWatch's alarm actions (the watcher's own alarms, stacks/notify.ts) need an Allow of their own, bound to
  // this stage's alarms in this account against the confused deputy (SNS Developer Guide, "Example cases for
  // Amazon SNS access control": "Allow CloudWatch alarms in an account to publish"). The notifier publishes
  // through its role's identity policy, which is enough within one account.
  onCallTopic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "StageAlarmsPublish",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [onCallTopic.topicArn],
      conditions: {
        ArnLike: {
          "aws:SourceArn": stack.formatArn({
            service: "cloudwatch",
            resource: "alarm",
            resourceName: alarmName(app, "*"),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
        StringEquals: { "aws:SourceAccount": stack.account },
      },
    }),
  );

  const requests = loadBalancer.metrics.requestCount({ period: ONE_MINUTE });
  const target5xx = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ONE_MINUTE });
  const errorRate = new cloudwatch.MathExpression({
    expression: "IF(requests > 0, 100 * errors / requests, 0)",
    usingMetrics: { errors: target5xx, requests },
    label: "5xx responses (% of requests)",
    period: ONE_MINUTE,
  });
  const p99Latency = loadBalancer.metrics.targetResponseTime({ statistic: "p99", period: ONE_MINUTE });
  const wafBlocked = new cloudwatch.Metric({
    namespace: "AWS/WAFV2",
    metricName: "BlockedRequests",
    dimensionsMap: { WebACL: webAclName, Region: Stack.of(stack).region, Rule: "ALL" },
    statistic: "Sum",
    period: Duration.minutes(5),
  });

  const alarm = (id: string, props: Omit<cloudwatch.AlarmProps, "alarmName" | "alarmDescription"> & { what: string; runbook: string }) => {
    const { what, runbook, ...alarmProps } = props;
    const created = new cloudwatch.Alarm(stack, id, {
      ...alarmProps,
      alarmName: alarmName(app, id),
      alarmDescription: `${what} Runbook: ${runbook}`,
      treatMissingData: alarmProps.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // No alarm action: the notifier turns each state change into a readable message (Automation stack).
    return created;
  };

  const releaseAlarms = [
    alarm("Alb5xxRate", {
      what: "More than 5% of requests answered 5xx by the service for 3 of the last 5 minutes.",
      runbook:
        "the rollback function's message says what the automation did about it; if it did nothing, check the service logs and the database.",
      metric: errorRate,
      threshold: 5,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    alarm("TargetP99Latency", {
      what: "p99 response time of the service above 2 s for 3 of the last 5 minutes.",
      runbook: "compare with the latest release; look at database CPU and connections.",
      metric: p99Latency,
      threshold: 2,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    ...[blueTargetGroup, greenTargetGroup].map((targetGroup, i) =>
      alarm(i === 0 ? "UnhealthyHostsBlue" : "UnhealthyHostsGreen", {
        what: "At least one task failed its /health check for 3 minutes in a row.",
        runbook: "look at stopped tasks in the ECS console (exit code, OOM) and at the service logs.",
        metric: targetGroup.metrics.unhealthyHostCount({ statistic: "Maximum", period: ONE_MINUTE }),
        threshold: 0,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    ),
  ];

  const url = `${settings.domain ? "https" : "http"}://${settings.domain?.name ?? loadBalancer.loadBalancerDnsName}`;
  const synthetic = syntheticUser(stack, app, settings, url, syntheticFile);
  if (synthetic) releaseAlarms.push(synthetic.alarm);

  const capacityAlarms = [
    alarm("ServiceCpu", {
      what: "Service CPU above 85% for 10 minutes: autoscaling is at its maximum or too slow.",
      runbook: "raise service.maxTasks for the stage or look for a hot loop in the latest release.",
      metric: service.metricCpuUtilization({ period: ONE_MINUTE }),
      threshold: 85,
      evaluationPeriods: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    alarm("ServiceMemory", {
      what: "Service memory above 85% for 10 minutes: tasks risk being killed for lack of memory.",
      runbook: "raise service.memoryMiB for the stage or look for a leak in the latest release.",
      metric: service.metricMemoryUtilization({ period: ONE_MINUTE }),
      threshold: 85,
      evaluationPeriods: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    // Only where the stage has a database (database.enabled): none would page for a database nobody runs.
    ...(instance
      ? [
          alarm("DatabaseCpu", {
            what: "Database CPU above 80% for 15 minutes.",
            runbook: "find slow queries in Performance Insights; consider a larger database.instanceType.",
            metric: instance.metricCPUUtilization({ period: Duration.minutes(5) }),
            threshold: 80,
            evaluationPeriods: 3,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
          alarm("DatabaseFreeStorage", {
            what: `Database free storage below 10% of ${dbSettings.maxAllocatedStorageGiB} GiB.`,
            runbook: "storage autoscaling is at its maximum: raise database.maxAllocatedStorageGiB.",
            metric: instance.metricFreeStorageSpace({ period: Duration.minutes(5) }),
            threshold: dbSettings.maxAllocatedStorageGiB * 0.1 * 1024 ** 3,
            evaluationPeriods: 2,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          }),
          alarm("DatabaseConnections", {
            what: "More than 80 database connections for 10 minutes.",
            runbook: "check the service's pool size times the task count; look for leaked connections.",
            metric: instance.metricDatabaseConnections({ period: Duration.minutes(5) }),
            threshold: 80,
            evaluationPeriods: 2,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
        ]
      : []),
    alarm("WafBlockedSpike", {
      what: "The firewall blocked more than 1000 requests in 5 minutes.",
      runbook: "look at the WAF sampled requests: an attack, or a legitimate client caught by a rule.",
      metric: wafBlocked,
      threshold: 1000,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
  ];

  // Each worker's own: ECS rolls a worker's deployment back when one of them fires during it (stacks/workers.ts).
  const workerAlarms = workers.flatMap((worker) => {
    const [cpu, memory] = workerAlarmIds(worker.name);
    return [
      alarm(cpu, {
        what: `Worker ${worker.name}: CPU above 85% for 5 minutes.`,
        runbook: `if a deployment of ${worker.name} is in progress ECS rolls it back; else raise services.${worker.name}.size.maxTasks or look for a hot loop.`,
        metric: worker.service.metricCpuUtilization({ period: ONE_MINUTE }),
        threshold: 85,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      alarm(memory, {
        what: `Worker ${worker.name}: memory above 85% for 5 minutes.`,
        runbook: `if a deployment of ${worker.name} is in progress ECS rolls it back; else raise services.${worker.name}.size.memoryMiB or look for a leak.`,
        metric: worker.service.metricMemoryUtilization({ period: ONE_MINUTE }),
        threshold: 85,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    ];
  });

  const dashboard = new cloudwatch.Dashboard(stack, "Dashboard", { dashboardName: stack.stackName, defaultInterval: Duration.hours(3) });
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: [...releaseAlarms, ...capacityAlarms, ...workerAlarms], width: 24 }),
  );
  dashboard.addWidgets(
    graph("Requests and 5xx rate (%)", [requests], [errorRate]),
    graph("p99 response time (s)", [p99Latency]),
    graph(
      "Unhealthy tasks (blue, green)",
      [blueTargetGroup, greenTargetGroup].map((tg) => tg.metrics.unhealthyHostCount({ statistic: "Maximum", period: ONE_MINUTE })),
    ),
  );
  dashboard.addWidgets(
    graph("Service CPU and memory (%)", [
      service.metricCpuUtilization({ period: ONE_MINUTE }),
      service.metricMemoryUtilization({ period: ONE_MINUTE }),
    ]),
    ...(instance
      ? [graph("Database CPU (%) and connections", [instance.metricCPUUtilization()], [instance.metricDatabaseConnections()])]
      : []),
    graph("Firewall: blocked requests", [wafBlocked]),
  );

  for (const worker of workers)
    dashboard.addWidgets(
      graph(`Worker ${worker.name}: CPU and memory (%)`, [
        worker.service.metricCpuUtilization({ period: ONE_MINUTE }),
        worker.service.metricMemoryUtilization({ period: ONE_MINUTE }),
      ]),
    );

  return { onCallTopic, dashboard };
}
