import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";

const REQUEST_TIMEOUT_MS = 1500;
const MAX_CONNECTIONS = 50;
/** Longer than any limit under test can take (request timeout + Node's 1 s check): past it, the server held on. */
const HELD_FOREVER_MS = 8000;

interface RawClient {
  socket: Socket;
  received(): string;
  /** Resolves when the server closed the connection, or rejects when it still holds it after HELD_FOREVER_MS. */
  closedByServer: Promise<void>;
}

/** A client on a bare socket that writes `text` and then nothing more, as a slow or broken client does. */
async function rawClient(port: number, text: string): Promise<RawClient> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {}); // a reset counts as closed
  await once(socket, "connect");
  let received = "";
  socket.on("data", (chunk) => (received += chunk));
  socket.write(text);
  const closedByServer = new Promise<void>((resolve, reject) => {
    const held = setTimeout(() => reject(new Error(`still open after ${HELD_FOREVER_MS} ms; received: ${received}`)), HELD_FOREVER_MS);
    socket.once("close", () => {
      clearTimeout(held);
      resolve();
    });
  });
  return { socket, received: () => received, closedByServer };
}

const post = (length: number, extra = "") =>
  `POST /api/polls HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

/**
 * Connections that never finish their request, on real sockets. Before REQUEST_TIMEOUT_MS and the connection cap,
 * a body that never came held its connection forever, and 1,100 of them took the service offline.
 */
describe("the service bounds every phase of a connection", () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({
      LOG_LEVEL: "warn",
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: "1000",
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });
  });
  afterAll(() => service?.child.kill("SIGKILL"));
  const healthy = async () => (await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5000) })).status;

  it("cuts off a body that stops half-way (Content-Length larger than what is sent), with 408, and serves others meanwhile", async () => {
    const slow = await rawClient(service.port, `${post(100)}{"question":`);
    expect(await healthy()).toBe(200);
    await slow.closedByServer;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it("cuts off Expect: 100-continue that never sends its body", async () => {
    const waiting = await rawClient(service.port, post(40, "Expect: 100-continue\r\n"));
    await waiting.closedByServer;
    expect(waiting.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 408 Request Timeout/);
  });

  it("cuts off headers that never end", async () => {
    const slowHeaders = await rawClient(service.port, "GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: ");
    await slowHeaders.closedByServer;
    expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it("holds no more than its cap at once (each newcomer over it evicts an unfinished one), and is serving again after", async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 30 }, () => rawClient(service.port, `${post(100)}{`)));
    // 30 are closed without an answer, long before any timeout: the oldest unfinished ones (service-slow-socket-flood).
    const closedEarly = await Promise.all(held.map((c) => Promise.race([c.closedByServer.then(() => true), sleepFor(500, false)])));
    expect(closedEarly.filter(Boolean).length).toBeGreaterThanOrEqual(30);
    await Promise.all(held.map((c) => c.closedByServer));
    expect(await healthy()).toBe(200);
    expect(service.child.exitCode).toBeNull();
  });
});

const sleepFor = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));
