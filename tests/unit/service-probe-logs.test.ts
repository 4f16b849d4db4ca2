import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../service/src/app";
import { loadConfig } from "../../service/src/config";
import type { Database } from "../../service/src/db";

function logged() {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
}

const noPolls: Database = {
  kind: "pglite",
  query: async () => ({ rows: [] }),
  transaction: async (work) => work({ query: async () => ({ rows: [] }) }),
  close: async () => {},
};

describe("the service's request logs", () => {
  it("writes nothing for a probe that goes well, and a real request's lines with its request id", async () => {
    const { lines, stream } = logged();
    const app = buildApp(loadConfig({ STAGE: "test", LOG_LEVEL: "info" }), noPolls, { logStream: stream });
    const health = await app.server.inject({ url: "/health", headers: { "x-request-id": "probe-1" } });
    const ready = await app.server.inject({ url: "/ready" });
    expect([health.statusCode, health.body, health.headers["x-request-id"]]).toEqual([200, "UP", "probe-1"]);
    expect([ready.statusCode, ready.body, ready.headers["x-request-id"]]).toEqual([200, "READY", expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(lines).toEqual([]);

    const results = await app.server.inject({ url: `/api/polls/${randomUUID()}/results`, headers: { "x-request-id": "real-1" } });
    expect(results.statusCode).toBe(404);
    expect(lines.map((line) => [line.msg, line.reqId])).toEqual([
      ["incoming request", "real-1"],
      ["request completed", "real-1"],
    ]);
    await app.server.close();
  });

  it("writes a probe's warning with its request id", async () => {
    const { lines, stream } = logged();
    const broken: Database = { ...noPolls, query: async () => Promise.reject(new Error("connection refused")) };
    const app = buildApp(loadConfig({ STAGE: "test", LOG_LEVEL: "info" }), broken, { logStream: stream });
    const ready = await app.server.inject({ url: "/ready", headers: { "x-request-id": "probe-2" } });
    expect([ready.statusCode, ready.body]).toEqual([503, "DATABASE UNAVAILABLE"]);
    expect(lines).toEqual([expect.objectContaining({ level: 40, reqId: "probe-2", msg: "database not ready", err: expect.any(Object) })]);
    await app.server.close();
  });
});
