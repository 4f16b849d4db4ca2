import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";

/**
 * What clients get wrong, over real sockets, is told as theirs: a client that resets its own connection is no
 * database outage (4,431 false "database unavailable" warnings in one adversarial run), and bytes that are not UTF-8
 * are refused rather than stored as U+FFFD.
 */
describe("the service and its clients' mistakes", () => {
  let service: RunningService;

  const postRaw = (path: string, body: Buffer) =>
    fetch(`${service.url}${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      signal: AbortSignal.timeout(10_000),
    });

  beforeAll(async () => {
    // The embedded database: nothing here may reach a database that could be unavailable.
    service = await startService({ LOG_LEVEL: "info" });
  });
  afterAll(() => {
    service?.child.kill("SIGKILL");
  });

  it("does not call a client's own reset (ECONNRESET mid-body) a database outage", async () => {
    const resets = Array.from({ length: 20 }, async () => {
      const socket: Socket = connect(service.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        'POST /api/polls HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"question":"Half',
      );
      await sleep(100);
      socket.resetAndDestroy(); // RST, as a client that crashed or a phone that lost its network
    });
    await Promise.all(resets);
    await sleep(500);
    expect(service.child.exitCode).toBeNull();
    expect(service.logs()).not.toMatch(/database unavailable/);
    expect((await fetch(`${service.url}/ready`)).status).toBe(200);
  });

  it("refuses a JSON body that is not valid UTF-8 with 400, and stores valid UTF-8 exactly", async () => {
    const body = (question: Buffer) => Buffer.concat([Buffer.from('{"question":"'), question, Buffer.from('","options":["a","b"]}')]);
    const refused = [
      Buffer.from([0x63, 0x61, 0x66, 0xc3, 0x28]), // a lead byte followed by no continuation byte
      Buffer.from([0xff, 0xfe]), // bytes UTF-8 never uses
      Buffer.from([0xc0, 0xaf]), // an overlong "/"
      Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate, encoded
      Buffer.from([0xe2, 0x82]), // a character cut short
    ];
    for (const question of refused) {
      const response = await postRaw("/api/polls", body(question));
      expect([response.status, ((await response.json()) as { message: string }).message], question.toString("hex")).toEqual([
        400,
        "Invalid request: the body is not valid UTF-8.",
      ]);
    }
    const accepted = await postRaw("/api/polls", body(Buffer.from("Café? 🗳️", "utf8")));
    expect(accepted.status).toBe(201);
    expect(((await accepted.json()) as { question: string }).question).toBe("Café? 🗳️");
    const vote = await postRaw(`/api/polls/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}/votes`, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(vote.status).toBe(400);
  });
});
