import { NagSuppressions } from "cdk-nag";
import type { App } from "sst/constructs";
import { Stack } from "sst/constructs";

/**
 * SST adds a custom-resource Lambda to every stack. It is SST's code and role,
 * not ours: it cannot be narrowed from here, only explained.
 */
export function suppressSstInternals(app: App) {
  for (const child of app.node.children) {
    if (!(child instanceof Stack)) continue;
    NagSuppressions.addResourceSuppressions(
      child.customResourceHandler,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "SST's custom-resource handler uses AWSLambdaBasicExecutionRole for its own logs; the role is created by SST.",
        },
        { id: "AwsSolutions-L1", reason: "nodejs22.x is chosen by SST 2.49 for its handler and is the Node major this product targets." },
      ],
      true,
    );
  }
}
