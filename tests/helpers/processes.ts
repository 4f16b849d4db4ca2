import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const SERVICE_DIR = path.resolve(import.meta.dirname, "../../service");

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningService {
  child: ChildProcess;
  port: number;
  url: string;
  logs(): string;
}

/** Starts the service as its container does (node, then src/main.ts) and waits until /health answers. */
export async function startService(env: Record<string, string>, port?: number): Promise<RunningService> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVICE_DIR,
    env: { ...process.env, PORT: String(listenPort), HOST: "127.0.0.1", STAGE: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout?.on("data", (chunk) => (logs += chunk));
  child.stderr?.on("data", (chunk) => (logs += chunk));
  const url = `http://127.0.0.1:${listenPort}`;
  for (let attempt = 0; attempt < 150; attempt++) {
    if ((await fetch(`${url}/health`).catch(() => undefined))?.ok) return { child, port: listenPort, url, logs: () => logs };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`the service did not start:\n${logs}`);
}
