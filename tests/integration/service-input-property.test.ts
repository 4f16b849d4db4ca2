import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type App, buildApp } from "../../service/src/app";
import { loadConfig } from "../../service/src/config";
import type { Database } from "../../service/src/db";
import { migrate } from "../../service/src/migrations";
import { connectPostgres, createDatabase } from "./test-databases";

// Characters that once reached PostgreSQL and failed there: NUL, unpaired surrogates, whitespace of every kind,
// combining marks that NFC merges, plus ordinary letters so that some inputs are valid.
const tricky = fc.constantFrom(
  " ",
  "\t",
  "\n",
  "\r",
  "\u00a0",
  "\u2028",
  "\u200b",
  "\u0000",
  "\ud800",
  "\udfff",
  "e",
  "\u0301",
  "\u00e9",
  "a",
  "Z",
  "'",
  "\\",
  "\uffff",
);
const text = fc.oneof(
  fc.string({ unit: tricky, maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
const pollBody = fc.oneof(
  fc.record({ question: fc.oneof(text, anyJson), options: fc.oneof(fc.array(fc.oneof(text, anyJson), { maxLength: 12 }), anyJson) }),
  fc.record({ question: text, options: fc.uniqueArray(text, { minLength: 2, maxLength: 10 }) }),
  anyJson,
);
// Numbers JSON can carry but JavaScript cannot hold, and texts that are almost JSON.
const rawJson = fc.constantFrom(
  '{"question": 1e400, "options": ["a", "b"]}',
  '{"question": "q", "options": [1e-400, 123456789012345678901234567890]}',
  '{"question":"q","options":["a","b"]',
  "\u0000",
  "[]",
  "null",
);
const id = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  fc.uuid().map((u) => `urn:uuid:${u}`),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => u.replaceAll("-", "")),
  fc.uuid().map((u) => u.toUpperCase()),
);

/**
 * "2xx or 4xx, never 5xx" for any input, against a real PostgreSQL: a request that passes validation and fails in
 * the database is a defect, because anyone can send it, and enough 500s raise the release alarm that rolls back.
 */
describe("the API answers any input with 2xx or 4xx, never 5xx (property, real PostgreSQL)", () => {
  let db: Database;
  let app: App;
  let poll: { id: string; options: { id: string }[] };
  const send = (method: "GET" | "POST", url: string, payload?: string, headers: Record<string, string> = {}) =>
    app.server.inject({ method, url, payload, headers: { "content-type": "application/json", ...headers } });

  beforeAll(async () => {
    db = await connectPostgres(await createDatabase(inject("postgresUrl"), "property"), { DATABASE_POOL_SIZE: "4" });
    await migrate(db);
    app = buildApp(loadConfig({ STAGE: "test" }), db, { logger: false });
    poll = (await send("POST", "/api/polls", JSON.stringify({ question: "Q?", options: ["a", "b"] }))).json();
  });
  afterAll(async () => {
    await app?.server.close();
    await db?.close();
  });

  it("creating polls: never 5xx, and what is answered is what was stored", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          pollBody.map((b) => JSON.stringify(b) ?? "null"),
          rawJson,
        ),
        async (payload) => {
          const response = await send("POST", "/api/polls", payload);
          expect(response.statusCode, `${payload} -> ${response.body}`).toBeLessThan(500);
          if (response.statusCode !== 201) return;
          const created = response.json();
          const stored = (await send("GET", `/api/polls/${created.id}/results`)).json();
          expect([stored.question, ...stored.options.map((o: { text: string }) => o.text)]).toEqual([
            created.question,
            ...created.options.map((o: { text: string }) => o.text),
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("voting and reading results: never 5xx, whatever the ids, body and Idempotency-Key", async () => {
    const optionOrAnything = fc.oneof(fc.constantFrom(...poll.options.map((o) => o.id)), id);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(poll.id), id),
        fc.oneof(
          optionOrAnything.map((optionId) => ({ optionId })),
          anyJson,
        ),
        fc.option(fc.string({ unit: "binary-ascii", minLength: 0, maxLength: 300 }), { nil: undefined }),
        async (pollId, body, key) => {
          const headers: Record<string, string> = {};
          if (key !== undefined && /^[\t\x20-\x7e]*$/.test(key)) headers["idempotency-key"] = key;
          const vote = await send("POST", `/api/polls/${encodeURIComponent(pollId)}/votes`, JSON.stringify(body) ?? "null", headers);
          expect(vote.statusCode, `${pollId} ${JSON.stringify(body)} ${key} -> ${vote.body}`).toBeLessThan(500);
          const results = await send("GET", `/api/polls/${encodeURIComponent(pollId)}/results`);
          expect(results.statusCode, `${pollId} -> ${results.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
  });
});
