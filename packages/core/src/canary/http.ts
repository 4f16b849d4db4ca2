import type { SecretHeader, SmokeHeaderValue } from "../settings/canary";
import type { HttpPort, HttpRequest } from "./ports";

/** A secret's value as a string (SecretString), or one field of a JSON secret. */
export type SecretReader = (secretId: string, key?: string) => Promise<string>;

/**
 * HTTP with fetch: never throws; a timeout, a refused connection or a header whose secret cannot be read is an
 * exchange of kind "failure". A secret header's value is read at each send (the reader caches) and appears nowhere
 * but in the request: a failure names the secret, never its value.
 */
export function fetchHttp(options: { secrets?: SecretReader; now?: () => number } = {}): HttpPort {
  const now = options.now ?? (() => performance.now());
  return {
    async send({ method, url, body, timeoutMs, headers = {} }) {
      const started = now();
      let sent: Headers;
      try {
        sent = await headerValues(headers, body, options.secrets);
      } catch (error) {
        // Our own messages: they name a header and its secret, never a value.
        return { kind: "failure", reason: (error as Error).message, latencyMs: 0 };
      }
      try {
        const response = await fetch(url, {
          method,
          body: body ?? undefined,
          headers: sent,
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

async function headerValues(
  headers: NonNullable<HttpRequest["headers"]>,
  body: string | null,
  secrets: SecretReader | undefined,
): Promise<Headers> {
  const entries = await Promise.all(
    Object.entries(headers).map(
      async ([name, value]: [string, SmokeHeaderValue]) => [name, await headerValue(name, value, secrets)] as const,
    ),
  );
  const sent = new Headers(body ? { "content-type": "application/json" } : {});
  for (const [name, value] of entries)
    try {
      sent.set(name, value);
    } catch {
      // fetch's own message would quote the value.
      throw new Error(`header ${name}: not a value a header can carry`);
    }
  return sent;
}

/** What a header's value may hold (RFC 9110 field-value: no CR, LF or NUL; Latin-1); fetch refuses anything else. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

async function headerValue(name: string, value: SmokeHeaderValue, secrets: SecretReader | undefined): Promise<string> {
  if (typeof value === "string") return value;
  const from = describe(value);
  if (!secrets) throw new Error(`header ${name}: ${from} cannot be read here (no Secrets Manager access)`);
  let read: string;
  try {
    read = `${value.prefix}${await secrets(value.secret, value.key)}`;
  } catch (error) {
    throw new Error(`header ${name}: ${from} could not be read: ${(error as Error).name}: ${(error as Error).message}`);
  }
  if (!HEADER_VALUE.test(read))
    throw new Error(`header ${name}: ${from} holds what a header cannot carry (a line break or control character)`);
  return read;
}

const describe = (header: SecretHeader) => `secret ${header.secret}${header.key ? ` (key ${header.key})` : ""}`;
