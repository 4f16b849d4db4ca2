import { Stack } from "aws-cdk-lib";
import * as appscaling from "aws-cdk-lib/aws-applicationautoscaling";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";

/**
 * Task count follows CPU and requests per task. Requests are counted on the
 * load balancer, not on a target group: blue and green swap roles with
 * every release, so a policy tied to one group would watch the idle one half
 * of the time.
 */
export function scaleTaskCount(
  service: ecs.FargateService,
  loadBalancer: elbv2.ApplicationLoadBalancer,
  sizing: { minTasks: number; maxTasks: number; cpuTargetPercent: number; requestsPerTargetPerMinute: number },
) {
  const stack = Stack.of(service);
  const taskCount = scaleOnCpu(service, "TaskCount", sizing);
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

/** A service's task count between its minimum and maximum, following its average CPU (a worker scales on this alone). */
export function scaleOnCpu(
  service: ecs.FargateService,
  id: string,
  sizing: { minTasks: number; maxTasks: number; cpuTargetPercent: number },
) {
  const taskCount = new appscaling.ScalableTarget(Stack.of(service), id, {
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
  return taskCount;
}
