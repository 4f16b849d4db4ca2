import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import type { ServiceConfig } from "./config.js";
import { capConnections } from "./connection-cap.js";
import { isDatabaseUnavailable } from "./database-unavailable.js";
import type { Database } from "./db.js";
import { answerHealthFirst, HEALTH_BODY, HEALTH_CONTENT_TYPE } from "./health-first.js";
import { CANONICAL_UUID, IDEMPOTENCY_KEY, normaliseText } from "./input-text.js";
import type { RequestMetrics } from "./metrics.js";
import { PAGE, PAGE_SECURITY_HEADERS } from "./page.js";
import { castVote, createPoll, pollResults } from "./polls.js";
import { probeLoggers } from "./probe-logger.js";
import { unreadableBodyEncoding } from "./request-encoding.js";
import { strictJsonBodies } from "./strict-json.js";

export interface App {
  server: FastifyInstance;
  /** Turns /ready to 503 and asks keep-alive clients to reconnect, so the load balancer stops sending here. */
  drain(): void;
}

const uuid = { type: "string", pattern: CANONICAL_UUID } as const;
const pollParams = { type: "object", required: ["id"], properties: { id: uuid } } as const;
const message = (text: string) => ({ message: text });

/** How long a client should wait before retrying when the database is unavailable (a failover takes 60-120 s). */
const RETRY_AFTER_SECONDS = 5;
/** /ready answers within this, database or not: the load balancer's health check times out at 5 s. */
const READY_BUDGET_MS = 2_000;

export interface AppOptions {
  logger?: boolean;
  /** Where the log lines go (standard output by default). */
  logStream?: { write(line: string): void };
  metrics?: RequestMetrics;
  /** False while the schema is not migrated yet (the database may still be starting): /ready answers 503 meanwhile. */
  schemaReady?: () => boolean;
}

export function buildApp(config: ServiceConfig, db: Database, options: AppOptions = {}): App {
  let draining = false;
  const server = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel, ...(options.logStream && { stream: options.logStream }) },
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    // Every phase of a connection is bounded: headers, the whole request (a body that never comes), idle keep-alive.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Node checks the two timeouts above every 30 s by default: a slow client could hold a socket 30 s past them.
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    // On close: refuse new requests with 503 and drop idle keep-alive connections at once.
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Strict types: a number where text is expected is a mistake to report, not to convert.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  let closing = false;
  server.addHook("preClose", async () => {
    closing = true;
  });
  // Before any other listener (connection-cap.ts's): GET /health answered by node:http itself (health-first.ts).
  answerHealthFirst(server.server, () => !draining && !closing);
  capConnections(server.server, config.http.maxConnections);
  strictJsonBodies(server);

  server.addHook("onRequest", async (request, reply) => {
    const unreadable = unreadableBodyEncoding(request.headers);
    if (unreadable) return reply.code(415).send(message(unreadable));
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
    // A status below 500 is the client's own doing: its socket reset mid-body (ECONNRESET, 400) is no database outage.
    const clientError = typeof error.statusCode === "number" && error.statusCode < 500;
    if (!clientError && isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, "database unavailable");
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send(message("The database is unavailable; try again in a few seconds."));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(message(error.validation ? `Invalid request: ${error.message}` : error.message));
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(message("Internal error; the request id is in the x-request-id header."));
  });
  server.setNotFoundHandler((request, reply) => reply.code(404).send(message(`No route ${request.method} ${request.url}`)));

  // Probes run every few seconds per task: their request logs would drown the real traffic (probe-logger.ts: no
  // pino child per probe request; warnings and errors still carry its request id).
  const probe = { childLoggerFactory: probeLoggers(server.log) };
  // What health-first.ts answers ahead of Fastify; this route answers the rest (HEAD, inject(), draining).
  server.get("/health", probe, async (_request, reply) => reply.type(HEALTH_CONTENT_TYPE).send(HEALTH_BODY));
  server.get("/ready", probe, async (request, reply) => {
    if (draining) return reply.code(503).type("text/plain").send("DRAINING");
    if (options.schemaReady && !options.schemaReady()) return reply.code(503).type("text/plain").send("MIGRATING");
    const ping = db.query("SELECT 1").then(() => "READY" as const);
    const answer = await Promise.race([ping, sleep(READY_BUDGET_MS, "TIMEOUT" as const, { ref: false })]).catch((error: unknown) => {
      request.log.warn({ err: error }, "database not ready");
      return "FAILED" as const;
    });
    if (answer === "READY") return reply.type("text/plain").send("READY");
    ping.catch(() => {}); // a ping that fails after the budget has nobody left to tell
    return reply
      .code(503)
      .type("text/plain")
      .send(answer === "TIMEOUT" ? "DATABASE NOT ANSWERING" : "DATABASE UNAVAILABLE");
  });
  server.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").headers(PAGE_SECURITY_HEADERS).send(PAGE));

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
        preValidation: async (request, reply) => {
          const problem = normalisePollBody(request);
          if (problem) return reply.code(400).send(message(`Invalid request: ${problem}`));
        },
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
        return reply.code(201).send(await createPoll(db, question, options));
      },
    );

    api.post(
      "/api/polls/:id/votes",
      {
        schema: {
          params: pollParams,
          headers: { type: "object", properties: { "idempotency-key": { type: "string", pattern: IDEMPOTENCY_KEY.source } } },
          body: { type: "object", required: ["optionId"], additionalProperties: false, properties: { optionId: uuid } },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const { optionId } = request.body as { optionId: string };
        const key = request.headers["idempotency-key"] as string | undefined;
        const outcome = await castVote(db, id, optionId, key);
        switch (outcome) {
          case "unknown-poll":
            return reply.code(404).send(message(`No poll ${id}`));
          case "unknown-option":
            return reply.code(404).send(message(`Poll ${id} has no option ${optionId}`));
          case "key-used-for-another-option":
            return reply.code(422).send(message(`Idempotency-Key ${key} was already used for another option of poll ${id}.`));
          case "replayed":
            return reply.code(201).header("idempotent-replayed", "true").send({ counted: true });
          case "counted":
            return reply.code(201).send({ counted: true });
        }
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

/** Normalises the question and options in place (before the schema checks them); names the first one it refuses. */
function normalisePollBody(request: FastifyRequest): string | undefined {
  const body = request.body as { question?: unknown; options?: unknown } | null;
  if (typeof body !== "object" || body === null) return undefined; // the schema says what is wrong
  if (typeof body.question === "string") {
    const question = normaliseText(body.question);
    if (!question.ok) return `the question ${question.problem}`;
    body.question = question.text;
  }
  if (Array.isArray(body.options)) {
    for (const [index, option] of body.options.entries()) {
      if (typeof option !== "string") continue;
      const normalised = normaliseText(option);
      if (!normalised.ok) return `option ${index + 1} ${normalised.problem}`;
      body.options[index] = normalised.text;
    }
  }
  return undefined;
}
