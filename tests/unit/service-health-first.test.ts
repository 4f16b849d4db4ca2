import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type App, buildApp } from "../../service/src/app";
import { loadConfig } from "../../service/src/config";
import type { Database } from "../../service/src/db";

const noDatabase: Database = {
  kind: "pglite",
  query: async () => ({ rows: [] }),
  transaction: async (work) => work({ query: async () => ({ rows: [] }) }),
  close: async () => {},
};

let app: App | undefined;
afterEach(async () => {
  await app?.server.close();
  app = undefined;
});

async function listening() {
  app = buildApp(loadConfig({ STAGE: "test" }), noDatabase, { logger: false });
  await app.server.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Status, body and headers, without the two that differ on every answer. */
async function answer(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "date" && name !== "x-request-id"));
  return { status: response.status, body: await response.text(), headers };
}

describe("GET /health ahead of Fastify (health-first.ts)", () => {
  it("answers what the route answers through Fastify: status, body and every header", async () => {
    const { url } = await listening();
    // A query string makes Fastify answer it (the same route).
    const [first, throughFastify] = await Promise.all([fetch(`${url}/health`), fetch(`${url}/health?via=fastify`)]);
    expect(await answer(first)).toEqual(await answer(throughFastify));
    expect(await answer(await fetch(`${url}/health`))).toMatchObject({
      status: 200,
      body: "UP",
      headers: { "content-type": "text/plain", "content-length": "2" },
    });
    const injected = await app?.server.inject({ url: "/health" });
    expect([injected?.statusCode, injected?.body, injected?.headers["content-type"]]).toEqual([200, "UP", "text/plain"]);
  });

  it("echoes the caller's request id, or gives one", async () => {
    const { url } = await listening();
    expect((await fetch(`${url}/health`, { headers: { "x-request-id": "req-123" } })).headers.get("x-request-id")).toBe("req-123");
    const ids = await Promise.all([fetch(`${url}/health`), fetch(`${url}/health`)]);
    const [a, b] = ids.map((response) => response.headers.get("x-request-id"));
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it("leaves to Fastify what it treats otherwise: HEAD, a refused encoding, a draining service", async () => {
    const { app, url } = await listening();
    const head = await fetch(`${url}/health`, { method: "HEAD" });
    expect([head.status, head.headers.get("content-type")]).toEqual([200, "text/plain"]);
    const gzip = await fetch(`${url}/health`, { headers: { "content-encoding": "gzip" } });
    expect(gzip.status).toBe(415);
    app.drain();
    const draining = await fetch(`${url}/health`);
    expect([draining.status, await draining.text(), draining.headers.get("connection")]).toEqual([200, "UP", "close"]);
  });
});
