import "./emf-environment.js";
import { createMetricsLogger, StorageResolution, Unit } from "aws-embedded-metrics";

/** Latency samples kept per window: one EMF record carries at most 100 values of a metric. */
const SAMPLE_SIZE = 100;
/** How often the per-revision record is written (docs/canary.md, "The service's metric contract"). */
export const REVISION_FLUSH_MS = 1000;

/**
 * Request metrics in CloudWatch Embedded Metric Format, one record per
 * window on stdout: the awslogs driver ships it and CloudWatch extracts the
 * metrics. Counts are exact; latency is a uniform sample of the window's
 * requests (reservoir sampling), so the cost stays flat under load.
 */
export class RequestMetrics {
  private requests = 0;
  private serverErrors = 0;
  private latencies: number[] = [];
  private revisionRequests = 0;
  private revisionServerErrors = 0;

  /**
   * `revision` ("family:revision" of the task definition, null outside ECS) adds the canary watch's fast path:
   * the same counts per revision at 1-second storage resolution, written by flushRevision.
   */
  constructor(
    private readonly stage: string,
    private readonly random: () => number = Math.random,
    private readonly revision: string | null = null,
  ) {}

  record(status: number, latencyMs: number): void {
    this.requests++;
    if (status >= 500) this.serverErrors++;
    if (this.revision) {
      this.revisionRequests++;
      if (status >= 500) this.revisionServerErrors++;
    }
    if (this.latencies.length < SAMPLE_SIZE) this.latencies.push(latencyMs);
    else {
      const slot = Math.floor(this.random() * this.requests);
      if (slot < SAMPLE_SIZE) this.latencies[slot] = latencyMs;
    }
  }

  /** Writes the window's record, if there was any request, and starts a new window. */
  async flush(): Promise<void> {
    if (this.requests === 0) return;
    const logger = createMetricsLogger();
    logger.setDimensions({ Stage: this.stage });
    logger.putMetric("Requests", this.requests, Unit.Count);
    logger.putMetric("ServerErrors", this.serverErrors, Unit.Count);
    for (const latency of this.latencies) logger.putMetric("Latency", Math.round(latency * 100) / 100, Unit.Milliseconds);
    this.requests = 0;
    this.serverErrors = 0;
    this.latencies = [];
    await logger.flush();
  }

  /**
   * The canary watch's fast path: requests and 5xx since the last call, dimensioned by stage and task definition
   * revision, at 1-second storage resolution; nothing when there was no request or no revision is known.
   */
  async flushRevision(): Promise<void> {
    if (!this.revision || this.revisionRequests === 0) return;
    const logger = createMetricsLogger();
    logger.setDimensions({ Stage: this.stage, TaskDefinition: this.revision });
    logger.putMetric("Requests", this.revisionRequests, Unit.Count, StorageResolution.High);
    logger.putMetric("ServerErrors", this.revisionServerErrors, Unit.Count, StorageResolution.High);
    this.revisionRequests = 0;
    this.revisionServerErrors = 0;
    await logger.flush();
  }
}
