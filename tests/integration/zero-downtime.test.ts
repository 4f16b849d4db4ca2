import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate } from "../../service/src/migrations";
import { freePort, type RunningService, startService } from "../helpers/processes";
import { nginxBinary, requirePeers } from "../peers/required";
import { connectPostgres, createDatabase } from "./test-databases";

/**
 * Two instances behind nginx (Debian's package) on loopback, as the ALB
 * keeps two tasks behind a target group: under a steady load, each instance
 * in turn is stopped with SIGTERM and started again. Not one request may fail.
 */
function nginxConfig(dir: string, port: number, upstreams: number[]): string {
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream service {
    ${upstreams.map((p) => `server 127.0.0.1:${p} max_fails=0;`).join("\n    ")}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    # nginx closes a client connection after 1000 requests by default, racing with the load's next request: not what is under test.
    keepalive_requests 1000000;
    location / {
      proxy_pass http://service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # What the ALB does for a target that is draining or gone: try the other one.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 1s;
    }
  }
}
`;
}

async function stopGracefully(service: RunningService) {
  service.child.kill("SIGTERM");
  const [code] = await once(service.child, "exit");
  return code as number;
}

describe("zero-downtime restarts behind a load balancer", () => {
  let env: Record<string, string>;
  const instances: RunningService[] = [];
  let nginx: ReturnType<typeof spawn>;
  let proxyUrl: string;
  let pollId: string;

  beforeAll(async () => {
    const url = await createDatabase(inject("postgresUrl"), "zero_downtime");
    const db = await connectPostgres(url);
    await migrate(db);
    await db.close();
    env = { DATABASE_URL: url, LOG_LEVEL: "warn", SHUTDOWN_DEADLINE_MS: "10000" };

    instances.push(await startService(env), await startService(env));
    const dir = mkdtempSync(path.join(tmpdir(), "nginx-"));
    const port = await freePort();
    writeFileSync(
      path.join(dir, "nginx.conf"),
      nginxConfig(
        dir,
        port,
        instances.map((i) => i.port),
      ),
    );
    requirePeers("nginx");
    nginx = spawn(nginxBinary() as string, ["-p", dir, "-c", path.join(dir, "nginx.conf")], {
      stdio: "ignore",
    });
    proxyUrl = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 50 && !(await fetch(`${proxyUrl}/health`).catch(() => undefined))?.ok; attempt++) await sleep(100);

    const created = await fetch(`${proxyUrl}/api/polls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "Zero downtime?", options: ["yes", "no"] }),
    });
    pollId = ((await created.json()) as { id: string }).id;
  });

  afterAll(async () => {
    nginx?.kill("SIGTERM");
    for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill("SIGKILL");
  });

  it("serves a steady load with no failed request while each instance restarts in turn", async () => {
    const failures: string[] = [];
    const load = new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: proxyUrl,
          connections: 8,
          duration: 12,
          requests: [
            { method: "GET", path: `/api/polls/${pollId}/results` },
            { method: "GET", path: "/health" },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      instance.on("reqError", (error: Error) => failures.push(error.message));
    });
    const restarts: number[] = [];
    const rolling = (async () => {
      for (const index of [0, 1]) {
        await sleep(2000);
        const old = instances[index] as RunningService;
        restarts.push(await stopGracefully(old));
        instances[index] = await startService(env, old.port);
      }
    })();
    const [result] = await Promise.all([load, rolling]);

    expect(restarts).toEqual([0, 0]);
    expect(result.requests.total).toBeGreaterThan(500);
    expect(failures).toEqual([]);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result["2xx"]).toBe(result.requests.total);
  });
});
