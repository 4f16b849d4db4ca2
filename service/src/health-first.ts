import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** What GET /health answers (app.ts's route answers the same through Fastify). */
export const HEALTH_BODY = "UP";
/** The content type the route gives (Fastify adds no charset to a type set with `reply.type()`). */
export const HEALTH_CONTENT_TYPE = "text/plain";

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * GET /health answered by node:http itself, ahead of Fastify's routing, hooks and reply objects: the load
 * balancer and the container asks every few seconds per task, and behind Fastify the answer cost 1.7 times a
 * bare node:http answer (bench:service). The answer is the route's own: 200, "UP", text/plain, the caller's
 * x-request-id or a new one.
 *
 * Everything else goes to Fastify exactly as before: another method or path (HEAD, a query string), a request
 * with a body's headers (Fastify refuses some encodings with 415), and every request once `fastPath()` says
 * no (the service draining, or closing). Fastify's `inject()` never passes here.
 */
export function answerHealthFirst(server: Server, fastPath: () => boolean): void {
  const listeners = server.listeners("request") as RequestListener[];
  const [fastify] = listeners;
  if (!fastify || listeners.length !== 1) throw new Error("answerHealthFirst: expected Fastify's request listener alone");
  server.removeListener("request", fastify);
  server.prependListener("request", function answer(this: Server, request: IncomingMessage, response: ServerResponse) {
    const headers = request.headers;
    if (
      request.url === "/health" &&
      request.method === "GET" &&
      headers["content-type"] === undefined &&
      headers["content-encoding"] === undefined &&
      fastPath()
    ) {
      response
        .writeHead(200, {
          "content-type": HEALTH_CONTENT_TYPE,
          "x-request-id": headers["x-request-id"] || randomUUID(),
          "content-length": HEALTH_BODY.length,
        })
        .end(HEALTH_BODY);
      return;
    }
    fastify.call(this, request, response);
  });
}
