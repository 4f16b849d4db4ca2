import "./emf-environment.js";
import { createMetricsLogger, Unit } from "aws-embedded-metrics";

/** Latency samples kept per window: one EMF record carries at most 100 values of a metric. */
const SAMPLE_SIZE = 100;

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

  constructor(
    private readonly stage: string,
    private readonly random: () => number = Math.random,
  ) {}

  record(status: number, latencyMs: number): void {
    this.requests++;
    if (status >= 500) this.serverErrors++;
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
}
