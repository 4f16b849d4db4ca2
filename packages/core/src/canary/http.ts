/** One HTTP exchange as the checks see it: a status and a body, or why there was none. */
export type Exchange =
  | { kind: "response"; status: number; body: string; latencyMs: number }
  | { kind: "failure"; reason: string; latencyMs: number };

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST";
  url: string;
  body: string | null;
  timeoutMs: number;
}

export interface HttpPort {
  send(request: HttpRequest): Promise<Exchange>;
}

/** HTTP with fetch: never throws; a timeout or a refused connection is an exchange of kind "failure". */
export function fetchHttp(now: () => number = () => performance.now()): HttpPort {
  return {
    async send({ method, url, body, timeoutMs }) {
      const started = now();
      try {
        const response = await fetch(url, {
          method,
          body: body ?? undefined,
          headers: body ? { "content-type": "application/json" } : undefined,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "manual",
        });
        const text = method === "HEAD" ? "" : await response.text();
        return { kind: "response", status: response.status, body: text, latencyMs: now() - started };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (cause ?? (error as Error).message);
        return { kind: "failure", reason, latencyMs: now() - started };
      }
    },
  };
}
