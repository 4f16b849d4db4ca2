import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { AcceptedClick } from "./accept";

/**
 * Slack waits three seconds for its answer: the endpoint hands an accepted
 * click to itself, invoked asynchronously (Lambda queues the event and
 * retries it), and answers at once.
 */
export function selfInvokedClicks(functionName: string, client?: LambdaClient) {
  return async (click: AcceptedClick) => {
    const sdk = await import("../aws/sdk/lambda");
    client ??= new sdk.LambdaClient({});
    await client.send(
      new sdk.InvokeCommand({
        FunctionName: functionName,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify({ kind: "click", click })),
      }),
    );
  };
}
