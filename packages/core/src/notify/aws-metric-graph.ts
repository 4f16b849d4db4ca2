import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { GraphPort } from "./ports";

/** A PNG of a metric widget, rendered by CloudWatch (GetMetricWidgetImage). */
export function cloudWatchGraphs(client?: CloudWatchClient): GraphPort {
  return {
    async render(widget) {
      const sdk = await import("../aws/sdk/cloudwatch");
      client ??= new sdk.CloudWatchClient({});
      const { MetricWidgetImage } = await client.send(
        new sdk.GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: "png" }),
      );
      if (!MetricWidgetImage?.length) throw new Error("GetMetricWidgetImage returned no image");
      return MetricWidgetImage;
    },
  };
}
