import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";

interface Tracked {
  /** The request on this connection whose answer is not sent yet. */
  request?: IncomingMessage;
  /** A whole request has come over this connection before: a real client (an ALB keep-alive), not a slow one. */
  served: boolean;
}

/**
 * At most `cap` open connections, without letting slow clients lock fresh ones out. Node's own maxConnections
 * refuses the newcomer once the cap is full, so 900 slow sockets that reconnect as they are cut (issue 30) left
 * fresh clients 2 chances in 123. Here a newcomer evicts the oldest connection that holds no complete request:
 * first one that never delivered a request (still sending headers or a body), else an idle keep-alive one. A
 * connection whose complete request is being answered is never evicted; when all are, the newcomer is refused.
 */
export function capConnections(server: Server, cap: number, onEvict: () => void = () => {}): void {
  // Insertion order is age order: the first match in a scan is the oldest.
  const open = new Map<Socket, Tracked>();
  // No request, or one whose headers or body are still arriving.
  const evictable = (t: Tracked) => !t.request?.complete;

  server.on("connection", (socket: Socket) => {
    if (open.size >= cap) {
      let victim: Socket | undefined;
      let fallback: Socket | undefined;
      for (const [candidate, t] of open) {
        if (!evictable(t)) continue;
        if (!t.served) {
          victim = candidate;
          break;
        }
        fallback ??= candidate;
      }
      victim ??= fallback;
      if (!victim) {
        socket.destroy();
        return;
      }
      open.delete(victim);
      victim.destroy();
      onEvict();
    }
    open.set(socket, { served: false });
    socket.once("close", () => open.delete(socket));
  });
  server.on("request", (request: IncomingMessage, response) => {
    const t = open.get(request.socket);
    if (!t) return;
    t.request = request;
    response.once("close", () => {
      if (t.request === request) t.request = undefined;
      t.served = true;
    });
  });
  // A backstop only: eviction keeps the count at the cap; destroyed sockets close a moment later.
  server.maxConnections = cap + 50;
}
