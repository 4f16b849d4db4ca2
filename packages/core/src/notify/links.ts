import type { Link } from "./message";

/**
 * AWS console addresses for the things a message is about. The console's
 * single-page routes escape log group and stream names twice ('%' becomes
 * '$25'); Logs Insights reads its query from a tilde-encoded object whose
 * strings escape with '*' instead of '%'.
 */

const consoleHome = (region: string, service: string) => `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
const consoleEscape = (value: string) => encodeURIComponent(value).replaceAll("%", "$25");

export function alarmLink(region: string, alarmName: string): Link {
  return { label: "Alarm", url: `${consoleHome(region, "cloudwatch")}#alarmsV2:alarm/${encodeURIComponent(alarmName)}` };
}

export function dashboardLink(region: string, dashboardName: string): Link {
  return { label: "Dashboard", url: `${consoleHome(region, "cloudwatch")}#dashboards/dashboard/${encodeURIComponent(dashboardName)}` };
}

/** An ECS service deployment (release.controller "ecs"): the service's Deployments tab, where ECS lists each. */
export function serviceDeploymentLink(region: string, cluster: string, service: string, releaseId: string): Link {
  return {
    label: `Deployment ${releaseId}`,
    url: `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`,
  };
}

export function deploymentLink(region: string, deploymentId: string): Link {
  return {
    label: "Deployment",
    url: `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`,
  };
}

export function ecsServiceLink(region: string, cluster: string, service: string): Link {
  return {
    label: "ECS service",
    url: `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/health?region=${region}`,
  };
}

export function ecsTaskLink(region: string, cluster: string, taskId: string): Link {
  return {
    label: "Stopped task",
    url: `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(taskId)}/configuration?region=${region}`,
  };
}

/** An RDS DB instance's page in the RDS console (its Connectivity, Monitoring and Logs & events tabs). */
export function rdsInstanceLink(region: string, instance: string): Link {
  return {
    label: "RDS instance",
    url: `${consoleHome(region, "rds")}#database:id=${encodeURIComponent(instance)};is-cluster=false`,
  };
}

export function logStreamLink(region: string, logGroup: string, stream: string): Link {
  return {
    label: "Task logs",
    url: `${consoleHome(region, "cloudwatch")}#logsV2:log-groups/log-group/${consoleEscape(logGroup)}/log-events/${consoleEscape(stream)}`,
  };
}

/** Logs Insights over `logGroup` for the hour before `until`, running `query`. */
export function logsQueryLink(region: string, logGroup: string, query: string, until: Date, label = "Error logs"): Link {
  const end = until.toISOString();
  const start = new Date(until.getTime() - 60 * 60 * 1000).toISOString();
  const tilde = (value: string) => `'${encodeURIComponent(value).replaceAll("%", "*")}`;
  const detail = `~(end~${tilde(end)}~start~${tilde(start)}~timeType~'ABSOLUTE~tz~'UTC~editorString~${tilde(query)}~source~(~${tilde(logGroup)}))`;
  return {
    label,
    url: `${consoleHome(region, "cloudwatch")}#logsV2:logs-insights$3FqueryDetail$3D${detail}`,
  };
}

export const ERROR_LOGS_QUERY =
  "fields @timestamp, @logStream, @message | filter level = 'error' or @message like /(?i)error/ | sort @timestamp desc | limit 100";
