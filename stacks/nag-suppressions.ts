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
        { id: "AwsSolutions-L1", reason: "SST 2.49 chooses nodejs22.x for its handler; Node 22 is also the major this product targets." },
      ],
      true,
    );
  }
}
