import type { FastifyInstance } from "fastify";

// `fatal`: bytes that are not UTF-8 (a cut character, an overlong form, an encoded surrogate) are an error, where
// the default decoding would store U+FFFD in their place and answer 201.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

class NotUtf8 extends Error {
  readonly statusCode = 400;
  constructor() {
    super("Invalid request: the body is not valid UTF-8.");
  }
}

/** JSON bodies are read as bytes, refused unless they are UTF-8, then parsed by Fastify's own parser (its poisoning checks kept). */
export function strictJsonBodies(server: FastifyInstance): void {
  const parseJson = server.getDefaultJsonParser("error", "error");
  server.removeContentTypeParser("application/json");
  server.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new NotUtf8(), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
