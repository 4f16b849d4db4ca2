import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { ServiceConfig } from "./config.js";
import type { Database } from "./db.js";
import type { RequestMetrics } from "./metrics.js";
import { PAGE } from "./page.js";
import { castVote, createPoll, pollResults } from "./polls.js";

export interface App {
  server: FastifyInstance;
  /** Turns /ready to 503 and asks keep-alive clients to reconnect, so the load balancer stops sending here. */
  drain(): void;
}

const uuid = { type: "string", format: "uuid" } as const;
const pollParams = { type: "object", required: ["id"], properties: { id: uuid } } as const;
const message = (text: string) => ({ message: text });

export interface AppOptions {
  logger?: boolean;
  metrics?: RequestMetrics;
  /** False while the schema is not migrated yet (the database may still be starting): /ready answers 503 meanwhile. */
  schemaReady?: () => boolean;
}

export function buildApp(config: ServiceConfig, db: Database, options: AppOptions = {}): App {
  let draining = false;
  const server = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    // On close: refuse new requests with 503 and drop idle keep-alive connections at once.
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Strict types: a number where text is expected is a mistake to report, not to convert.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  server.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (draining) reply.header("connection", "close");
  });

  const { metrics } = options;
  // Probes are left out: they would drown the traffic, and /ready answers 503 on purpose while draining.
  const probes = new Set(["/health", "/ready"]);
  if (metrics) {
    server.addHook("onResponse", async (request, reply) => {
      if (!probes.has(request.routeOptions.url ?? "")) metrics.record(reply.statusCode, reply.elapsedTime);
    });
  }

  server.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(message(error.validation ? `Invalid request: ${error.message}` : error.message));
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(message("Internal error; the request id is in the x-request-id header."));
  });
  server.setNotFoundHandler((request, reply) => reply.code(404).send(message(`No route ${request.method} ${request.url}`)));

  // Probes run every few seconds per task: their request logs would drown the real traffic.
  const probe = { logLevel: "warn" } as const;
  server.get("/health", probe, async (_request, reply) => reply.type("text/plain").send("UP"));
  server.get("/ready", probe, async (request, reply) => {
    if (draining) return reply.code(503).type("text/plain").send("DRAINING");
    if (options.schemaReady && !options.schemaReady()) return reply.code(503).type("text/plain").send("MIGRATING");
    try {
      await db.query("SELECT 1");
      return reply.type("text/plain").send("READY");
    } catch (error) {
      request.log.warn({ err: error }, "database not ready");
      return reply.code(503).type("text/plain").send("DATABASE UNAVAILABLE");
    }
  });
  server.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE));

  server.register(async (api) => {
    if (config.faults.errorRate > 0 || config.faults.delayMs > 0) {
      api.log.warn({ faults: config.faults }, "fault injection is ON");
      api.addHook("onRequest", async (_request, reply) => {
        if (config.faults.delayMs > 0) await sleep(config.faults.delayMs);
        if (Math.random() < config.faults.errorRate) return reply.code(500).send(message("Injected fault (release drill)."));
      });
    }

    api.post(
      "/api/polls",
      {
        schema: {
          body: {
            type: "object",
            required: ["question", "options"],
            additionalProperties: false,
            properties: {
              question: { type: "string", minLength: 1, maxLength: 200 },
              options: {
                type: "array",
                minItems: 2,
                maxItems: 10,
                uniqueItems: true,
                items: { type: "string", minLength: 1, maxLength: 100 },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { question, options } = request.body as { question: string; options: string[] };
        return reply.code(201).send(
          await createPoll(
            db,
            question.trim(),
            options.map((o) => o.trim()),
          ),
        );
      },
    );

    api.post(
      "/api/polls/:id/votes",
      {
        schema: {
          params: pollParams,
          body: { type: "object", required: ["optionId"], additionalProperties: false, properties: { optionId: uuid } },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const { optionId } = request.body as { optionId: string };
        const outcome = await castVote(db, id, optionId);
        if (outcome === "unknown-poll") return reply.code(404).send(message(`No poll ${id}`));
        if (outcome === "unknown-option") return reply.code(404).send(message(`Poll ${id} has no option ${optionId}`));
        return reply.code(201).send({ counted: true });
      },
    );

    api.get("/api/polls/:id/results", { schema: { params: pollParams } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const results = await pollResults(db, id);
      return results ? reply.send(results) : reply.code(404).send(message(`No poll ${id}`));
    });
  });

  return {
    server,
    drain: () => {
      draining = true;
    },
  };
}
