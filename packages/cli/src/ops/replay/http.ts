import type { Recorder } from "./recorder";
import { NoAnswer } from "./recording";

/**
 * HTTP the product's adapters send themselves (Slack's Web API, incoming webhooks, response URLs), through a
 * fetch that writes each request down as the service and the method it calls, and answers it as the service
 * would, instead of sending it. The adapters and the Slack SDK run as in Lambda, given this fetch.
 */

export interface HttpRequest {
  url: URL;
  method: string;
  /** The body as the service reads it: JSON, a form (its JSON-encoded fields parsed), or multipart fields. */
  body: Record<string, unknown>;
}

export interface HttpAnswer {
  status?: number;
  json?: unknown;
  text?: string;
}

/** Which call a request is (as the service names it), what it says in a few words, and its answer. */
export interface HttpRoute {
  service: string;
  operation: string;
  detail: string;
  answer(): HttpAnswer | Promise<HttpAnswer>;
}

export function recordingFetch(route: (request: HttpRequest) => HttpRoute | undefined, recorder: Recorder): typeof fetch {
  return async (resource, init) => {
    const url = new URL(resource instanceof Request ? resource.url : String(resource));
    const request = { url, method: init?.method ?? "GET", body: await bodyOf(init?.body) };
    const found = route(request);
    if (!found) {
      recorder.aws("HTTP", `${request.method} ${url.host}${url.pathname}`, "→ no answer in the replay");
      throw new NoAnswer("HTTP", `${request.method} ${url.host}${url.pathname}`);
    }
    const answer = await found.answer();
    recorder.aws(found.service, found.operation, found.detail);
    const status = answer.status ?? 200;
    return answer.json !== undefined
      ? new Response(JSON.stringify(answer.json), { status, headers: { "content-type": "application/json" } })
      : new Response(answer.text ?? "", { status, headers: { "content-type": "text/plain" } });
  };
}

async function bodyOf(body: unknown): Promise<Record<string, unknown>> {
  if (body === undefined || body === null) return {};
  if (body instanceof FormData) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of body.entries()) fields[key] = typeof value === "string" ? parsed(value) : `(${value.size} bytes)`;
    return fields;
  }
  const text = typeof body === "string" ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return Object.fromEntries([...new URLSearchParams(text)].map(([key, value]) => [key, parsed(value)]));
  }
}

function parsed(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
