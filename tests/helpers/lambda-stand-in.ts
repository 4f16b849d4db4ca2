import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server standing in for Lambda's Invoke API, so that the
 * product's own adapters (the SDK's client, its serialization and its
 * retries) are what is tested: POST /2015-03-31/functions/{name}/invocations
 * with X-Amz-Invocation-Type (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 * An Event invocation is answered 202 and handed to `run` after the answer,
 * as Lambda queues it; RequestResponse gets `run`'s answer as the payload.
 * moto's Lambda needs Docker to run a function, which this machine has not.
 */

export interface Invocation {
  functionName: string;
  type: string;
  payload: unknown;
}

export interface LambdaError {
  status: number;
  /** x-amzn-ErrorType, as Lambda names its errors (TooManyRequestsException, ServiceException). */
  type: string;
  message: string;
}

export interface LambdaStandIn {
  endpoint: string;
  /** Every request, including those answered with an error. */
  invocations: Invocation[];
  /** Runs an invocation: the function's answer (RequestResponse), or nothing (Event). */
  run: (invocation: Invocation) => Promise<unknown>;
  /** The next `count` requests for a function get this error instead (Infinity: until reset). */
  failNext(functionName: string, count: number, error: LambdaError): void;
  reset(): void;
  close(): Promise<void>;
}

export const THROTTLED: LambdaError = { status: 429, type: "TooManyRequestsException", message: "Rate Exceeded." };

export async function startLambdaStandIn(): Promise<LambdaStandIn> {
  const failures = new Map<string, { count: number; error: LambdaError }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
      const functionName = decodeURIComponent(match?.[1] ?? "");
      const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
      const raw = Buffer.concat(chunks).toString("utf8");
      const invocation = { functionName, type, payload: raw ? JSON.parse(raw) : null };
      standIn.invocations.push(invocation);
      const failure = failures.get(functionName);
      if (failure && failure.count > 0) {
        failure.count--;
        const { status, type: errorType, message } = failure.error;
        res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": errorType }).end(JSON.stringify({ message }));
        return;
      }
      if (type === "Event") {
        res.writeHead(202).end();
        await standIn.run(invocation);
        return;
      }
      const answer = await standIn.run(invocation);
      res.writeHead(200, { "content-type": "application/json", "x-amz-executed-version": "$LATEST" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const standIn: LambdaStandIn = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations: [],
    run: async () => null,
    failNext(functionName, count, error) {
      failures.set(functionName, { count, error });
    },
    reset() {
      failures.clear();
      standIn.invocations.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return standIn;
}
