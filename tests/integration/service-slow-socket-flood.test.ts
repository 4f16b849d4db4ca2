import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";

const CAP = 900;
/** The service's default cap, and issue 30's flood: 1,500 slow sockets against it. */
const FLOOD = 1500;
/** Requests to /api wait this long in the service (the release drills' delay): long enough to be evicted if it could. */
const SERVING_MS = 3_000;

/** One slow client: connects, trickles header lines and never ends them; reconnects whenever it is cut off. */
function slowClient(port: number, state: { stop: boolean; cut: number; open: number }) {
  return (async () => {
    while (!state.stop) {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {}); // a reset is one more cut
      const closed = new Promise((resolve) => socket.once("close", resolve));
      await Promise.race([new Promise((resolve) => socket.once("connect", resolve)), closed]);
      state.open++;
      socket.write("GET /health HTTP/1.1\r\nHost: test\r\n");
      const trickle = setInterval(() => socket.write("X-Slow: 1\r\n"), 200);
      await closed;
      clearInterval(trickle);
      state.open--;
      if (!state.stop) state.cut++;
      await sleep(20);
    }
  })();
}

/** A request on a connection of its own (no keep-alive pool), given the usual client timeout: its status, or the error. */
const fresh = (port: number, path: string, timeoutMs = 5_000) =>
  new Promise<number | string>((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", (error) => resolve(error.message));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error) => resolve(error.message));
    req.end();
  });

/**
 * Slow sockets over the connection cap, reconnecting as they are cut (issue 30). Before eviction, Node refused
 * every connection over the cap, so fresh clients were served only when a slow one happened to be cut first.
 */
describe("slow sockets do not lock fresh clients out", () => {
  let service: RunningService;
  const flood = { stop: false, cut: 0, open: 0 };
  let clients: Promise<void>[] = [];
  /** A keep-alive connection that was served before the flood, as the ALB's are: oldest of all, yet kept. */
  let keptAlive: Socket;
  const askOn = async (socket: Socket) => {
    let received = "";
    const onData = (chunk: Buffer) => (received += chunk);
    socket.on("data", onData);
    socket.write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n");
    while (!received.endsWith("UP") && !socket.destroyed) await sleep(20);
    socket.off("data", onData);
    return received.split("\r\n")[0];
  };

  beforeAll(async () => {
    service = await startService({
      LOG_LEVEL: "warn",
      MAX_CONNECTIONS: String(CAP),
      HEADERS_TIMEOUT_MS: "5000",
      FAULT_DELAY_MS: String(SERVING_MS),
    });
    keptAlive = connect(service.port, "127.0.0.1");
    keptAlive.on("error", () => {});
    expect(await askOn(keptAlive)).toBe("HTTP/1.1 200 OK");
    clients = Array.from({ length: FLOOD }, () => slowClient(service.port, flood));
    // The flood holds the cap and is being cut (by eviction) before any fresh client comes.
    while (flood.cut < FLOOD) await sleep(50);
  });
  afterAll(async () => {
    flood.stop = true;
    service?.child.kill("SIGKILL");
    await Promise.all(clients);
  });

  it("serves at least 95% of 50 fresh requests while the flood goes on, and never cuts a request being served", async () => {
    // Requests that will be in progress (complete, waiting SERVING_MS) while the flood keeps evicting.
    const serving = Array.from({ length: 5 }, () => fresh(service.port, `/api/polls/${randomUUID()}/results`, 15_000));
    await sleep(200);
    const cutBefore = flood.cut;
    const statuses: (number | string)[] = [];
    for (let batch = 0; batch < 5; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => fresh(service.port, "/health")))));
    }
    const answered = statuses.filter((s) => typeof s === "number" && s >= 200 && s < 500).length;
    // The figure, for the README; the assertions below are the verdict.
    console.log(`fresh requests answered: ${answered}/50; slow sockets cut meanwhile: ${flood.cut - cutBefore}`);
    expect(answered, JSON.stringify(statuses)).toBeGreaterThanOrEqual(48);
    // The flood went on: its sockets kept being cut and reopened while the fresh requests were served.
    expect(flood.cut - cutBefore).toBeGreaterThan(50);
    // Every request in progress got its whole answer: 404, no such poll, after the delay.
    expect(await Promise.all(serving)).toEqual([404, 404, 404, 404, 404]);
    expect(service.child.exitCode).toBeNull();
  });

  it("evicts the slow sockets that never delivered a request before a kept-alive connection that was served", async () => {
    expect(flood.cut).toBeGreaterThan(2 * FLOOD);
    expect(await askOn(keptAlive)).toBe("HTTP/1.1 200 OK");
  });
});
