// A tiny HTTP echo service, the kind a team brings to the product: one text on every path, "UP" at /health.
// No dependencies: the image is the Node.js runtime and this file.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 5678);
const text = process.env.ECHO_TEXT ?? "Hello World";

const server = createServer((request, response) => {
  const healthy = request.url === "/health";
  response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end(healthy ? "UP" : text);
});

// ECS stops a task with SIGTERM, then SIGKILL after stopTimeout: finish what is in flight, take nothing new.
process.on("SIGTERM", () => server.close(() => process.exit(0)));

server.listen(port, () => console.log(JSON.stringify({ message: "listening", port })));
