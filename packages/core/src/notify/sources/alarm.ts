import { workerOfAlarm } from "../../settings/workers";
import { formatTime, parseTime } from "../../text/time";
import * as z from "../../zod";
import { alarmLink, dashboardLink, ERROR_LOGS_QUERY, logsQueryLink } from "../links";
import { alarmIncidentKey, type Fact, type MetricWidget, type NotifyContext, type OpsMessage, type Severity } from "../message";
import { baseMessage, type Envelope, firstIssue, type Normalized } from "./envelope";
import { unrecognised } from "./unrecognised";

export const ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change";

const AlarmState = z.enum(["ALARM", "OK", "INSUFFICIENT_DATA"]);

const MetricStat = z.looseObject({
  metric: z.looseObject({
    namespace: z.string(),
    name: z.string(),
    dimensions: z._default(z.record(z.string(), z.string()), {}),
  }),
  period: z.number().check(z.int()).check(z.positive()),
  stat: z.string(),
});

const AlarmMetric = z.looseObject({
  id: z.string(),
  metricStat: z.optional(MetricStat),
  expression: z.optional(z.string()),
  label: z.optional(z.string()),
  returnData: z.optional(z.boolean()),
});

const StateChange = z.looseObject({
  value: AlarmState,
  reason: z._default(z.string(), ""),
  reasonData: z.optional(z.string()),
  timestamp: z.string(),
});

export const AlarmDetail = z.looseObject({
  alarmName: z.string().check(z.minLength(1)),
  state: StateChange,
  previousState: z.optional(z.partial(StateChange, { timestamp: true })),
  configuration: z._default(
    z.looseObject({
      description: z.optional(z.string()),
      metrics: z.optional(z.array(AlarmMetric)),
      alarmRule: z.optional(z.string()),
    }),
    {},
  ),
});
type AlarmDetail = z.infer<typeof AlarmDetail>;

/** What CloudWatch puts in reasonData (a JSON string) for a metric alarm. */
const ReasonData = z.looseObject({
  threshold: z.optional(z.number()),
  recentDatapoints: z.optional(z.array(z.number())),
  triggeringAlarms: z.optional(z.array(z.looseObject({ arn: z.string() }))),
});

export function readAlarm(envelope: Envelope, context: NotifyContext): Normalized {
  const parsed = AlarmDetail.safeParse(envelope.detail);
  if (!parsed.success) return unrecognised(envelope, context, `alarm event detail ${firstIssue(parsed.error)}`);
  const detail = parsed.data;
  const state = detail.state.value;
  const shortName = shortAlarmName(detail.alarmName, context);
  const { what, runbook } = splitDescription(detail.configuration.description);
  const reasonData = parseReasonData(detail.state.reasonData);
  const pages = context.criticalAlarms.includes(detail.alarmName);
  const watchedByRelease = context.releaseAlarms.includes(detail.alarmName);
  // A worker's own alarm is the worker's incident, and its rollback is ECS's (the worker's deployment alarms).
  const worker = workerOfAlarm(context.workers, detail.alarmName)?.name;

  const severity: Severity = state === "OK" ? "resolved" : state === "INSUFFICIENT_DATA" ? "info" : pages ? "critical" : "warning";
  const plainTitle = {
    ALARM: `${shortName} is in ALARM`,
    OK: `${shortName} is back to OK`,
    INSUFFICIENT_DATA: `${shortName} has no data`,
  }[state];
  const title = worker ? `${worker}: ${plainTitle}`.slice(0, 140) : plainTitle;

  const nextStep =
    state === "ALARM"
      ? (runbook ?? "Open the alarm and the dashboard; look at the service logs of the last hour.")
      : state === "INSUFFICIENT_DATA"
        ? "Check that the service is running and reporting metrics (a stage asleep at night reports none)."
        : null;

  const message: OpsMessage = {
    ...baseMessage(envelope, context, "alarm"),
    severity,
    title,
    summary: what ?? `CloudWatch alarm ${detail.alarmName} changed state.`,
    // What the automation did is not known here: the rollback function reports its own decision and outcome.
    // The deployment group watching this alarm is configuration, said as such.
    ...(worker ? { worker } : {}),
    facts: [
      ...(worker ? [{ label: "Service", value: `${worker} (a worker of the stage)` }] : []),
      ...alarmFacts(detail, reasonData, context.timeZone),
      ...(state === "ALARM" && worker
        ? [
            {
              label: "Release guard",
              value: `ECS's deployment alarms of ${worker} watch this alarm: ECS rolls a deployment of ${worker} that is running when it fires back by itself. No release of the public service is blamed for it.`,
            },
          ]
        : []),
      ...(state === "ALARM" && watchedByRelease
        ? [
            {
              label: "Release guard",
              value: "CodeDeploy's deployment group watches this alarm; what the rollback function decides follows in this incident.",
            },
          ]
        : []),
    ],
    actionsTaken: [],
    nextStep,
    links: [
      alarmLink(envelope.region, detail.alarmName),
      dashboardLink(envelope.region, context.dashboardName),
      // The public service's log group: a worker logs to a group of its own.
      ...(worker ? [] : [logsQueryLink(envelope.region, context.logGroupName, ERROR_LOGS_QUERY, new Date(envelope.time))]),
    ],
    incident: { role: "event", key: alarmIncidentKey(detail.alarmName), state, lasting: true, ...alarmBegan(detail) },
    graph: state === "ALARM" ? alarmGraph(detail, shortName, reasonData.threshold) : null,
  };
  return { kind: "message", message };
}

function alarmFacts(detail: AlarmDetail, reasonData: z.infer<typeof ReasonData>, timeZone: string): Fact[] {
  const facts: Fact[] = [
    { label: "Alarm", value: detail.alarmName },
    { label: "State", value: `${detail.previousState?.value ?? "?"} → ${detail.state.value}` },
    { label: "Since", value: formatTime(detail.state.timestamp, timeZone) },
  ];
  const began = alarmBegan(detail).since;
  if (began) facts.push({ label: "ALARM began", value: formatTime(began, timeZone) });
  const metric = describeMetric(detail.configuration.metrics ?? []);
  if (metric) facts.push({ label: "Metric", value: metric });
  if (reasonData.threshold !== undefined) facts.push({ label: "Threshold", value: String(reasonData.threshold) });
  if (reasonData.recentDatapoints?.length)
    facts.push({ label: "Recent values", value: reasonData.recentDatapoints.map((v) => round(v)).join(", ") });
  if (detail.configuration.alarmRule) facts.push({ label: "Rule", value: detail.configuration.alarmRule });
  const triggering = reasonData.triggeringAlarms?.map((a) => a.arn.split(":alarm:")[1] ?? a.arn);
  if (triggering?.length) facts.push({ label: "Triggered by", value: triggering.join(", ") });
  if (detail.state.reason) facts.push({ label: "Reason", value: detail.state.reason });
  return facts.map((fact) => ({ ...fact, value: fact.value.slice(0, 2000) }));
}

/**
 * An OK says when its ALARM began: the previous state's timestamp ("Alarm events and EventBridge"). The
 * incident it ends began then, even when that ALARM was lost or arrives later. Pure.
 */
export function alarmBegan(detail: AlarmDetail): { since?: string } {
  const previous = detail.previousState;
  if (detail.state.value !== "OK" || previous?.value !== "ALARM" || !previous.timestamp) return {};
  const at = parseTime(previous.timestamp);
  return at ? { since: at.toISOString() } : {};
}

/** The alarm's own metrics over the last three hours, with its threshold: what people look at first. */
export function alarmGraph(detail: AlarmDetail, title: string, threshold: number | undefined): MetricWidget | null {
  const metrics = detail.configuration.metrics ?? [];
  if (!metrics.some((m) => m.metricStat)) return null;
  const rows = metrics.map((m) => {
    const options: Record<string, unknown> = { id: m.id, visible: m.returnData !== false };
    if (m.label) options.label = m.label;
    if (m.expression) return [{ ...options, expression: m.expression }];
    const stat = m.metricStat as z.infer<typeof MetricStat>;
    const dimensions = Object.entries(stat.metric.dimensions).flat();
    return [stat.metric.namespace, stat.metric.name, ...dimensions, { ...options, stat: stat.stat, period: stat.period }];
  });
  const widget: MetricWidget = { title, start: "-PT3H", width: 800, height: 400, timezone: "+0000", metrics: rows };
  if (threshold !== undefined) widget.annotations = { horizontal: [{ value: threshold, label: "threshold" }] };
  return widget;
}

function describeMetric(metrics: z.infer<typeof AlarmMetric>[]): string | undefined {
  const shown = metrics.find((m) => m.returnData !== false) ?? metrics[0];
  if (!shown) return undefined;
  if (shown.expression) return `${shown.label ?? shown.id}: ${shown.expression}`;
  if (!shown.metricStat) return undefined;
  const { metric, stat, period } = shown.metricStat;
  return `${metric.namespace} ${metric.name} (${stat}, ${period} s)`;
}

/** Our alarms describe themselves as "<what happened>. Runbook: <what to do>." */
function splitDescription(description: string | undefined): { what?: string; runbook?: string } {
  if (!description) return {};
  const [what, runbook] = description.split(/\s*Runbook:\s*/i, 2);
  return { what: what?.trim() || undefined, runbook: runbook ? capitalize(runbook.trim()) : undefined };
}

function parseReasonData(raw: string | undefined): z.infer<typeof ReasonData> {
  if (!raw) return {};
  try {
    const parsed = ReasonData.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function shortAlarmName(name: string, context: NotifyContext): string {
  const prefix = `${context.stage}-${context.service}-`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const round = (value: number) => String(Math.round(value * 1000) / 1000);
