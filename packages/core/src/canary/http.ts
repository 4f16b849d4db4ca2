import type { HttpPort } from "./ports";

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
