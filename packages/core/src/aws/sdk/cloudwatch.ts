export { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, GetMetricWidgetImageCommand } from "@aws-sdk/client-cloudwatch";
