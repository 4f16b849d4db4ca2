// First version of the workload: liveness and readiness endpoints, graceful stop on SIGTERM.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8080);
let draining = false;

const server = createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path === "/health") return reply(response, 200, "UP");
  if (path === "/ready") return draining ? reply(response, 503, "DRAINING") : reply(response, 200, "READY");
  return reply(response, 404, "NOT FOUND");
});

function reply(response, status, body) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
}

process.on("SIGTERM", () => {
  draining = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 20_000).unref();
});

server.listen(port, () => console.log(JSON.stringify({ level: "info", msg: "listening", port })));
