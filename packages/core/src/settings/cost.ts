import * as z from "zod";

const amount = z.number().nonnegative();

/**
 * What the monthly cost estimate cannot read from the templates: traffic and volumes. Each is printed beside the
 * table, so a reader sees what the figure assumes and can set their own in ops.settings.json.
 */
export const CostAssumptionsSchema = z.strictObject({
  /** Requests reaching the load balancer (and the firewall) per month, in millions. */
  requestsPerMonthMillions: amount,
  /** Load balancer capacity units used on average per hour (1 LCU: 25 new connections/s or 1 GB/h processed). */
  albLcuPerHour: amount,
  /** Data through the NAT gateways per month (image pulls, calls to AWS APIs without an endpoint), GB. */
  natProcessedGbPerMonth: amount,
  /** Logs written to CloudWatch per month (service, Lambdas, flow logs, database), GB. */
  logsIngestedGbPerMonth: amount,
  /** Tasks running on average; null: the stage's minimum (scaling out is extra). */
  typicalTasks: z.number().int().positive().nullable(),
  /** Automation Lambda invocations per month (schedule ticks, alarms, releases), and their average duration. */
  lambdaInvocationsPerMonth: amount,
  lambdaAverageSeconds: amount,
});
export type CostAssumptions = z.infer<typeof CostAssumptionsSchema>;
