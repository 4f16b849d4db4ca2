import type { NotifyContext } from "@hands-off-ops/core/notify/message";

/** The prod notifier's context, as the Automation stack would fill it in. */
export const PROD_CONTEXT: NotifyContext = {
  stage: "prod",
  service: "hands-off-ops",
  region: "eu-central-1",
  dashboardName: "prod-hands-off-ops-Observability",
  clusterName: "prod-hands-off-ops-cluster",
  serviceName: "prod-hands-off-ops-service",
  logGroupName: "prod-hands-off-ops-Service-ServiceLogs",
  criticalAlarms: ["prod-hands-off-ops-Alb5xxRate", "prod-hands-off-ops-TargetP99Latency", "prod-hands-off-ops-DatabaseFreeStorage"],
  releaseAlarms: ["prod-hands-off-ops-Alb5xxRate", "prod-hands-off-ops-TargetP99Latency"],
  workers: [],
  timeZone: "Europe/Berlin",
  sleepSchedule: null,
};
