import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestProject } from "vitest/node";
import { freePort } from "../helpers/processes";
import { motoServerBinary, requirePeers } from "./required";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's moto server. */
    motoEndpoint: string;
  }
}

/** What an SDK client needs to talk to moto (any credentials; moto keeps one account per access key id). */
export const MOTO_CLIENT = {
  region: "eu-central-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
};

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * moto (`moto_server`, Python) on a free loopback port: an independent
 * implementation of the AWS APIs, so that adapters and rules meet someone
 * else's reading of AWS, not the one they were written with.
 */
export async function startMotoServer(): Promise<MotoServer> {
  requirePeers("moto");
  const port = await freePort();
  const child: ChildProcess = spawn(motoServerBinary() as string, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/** Vitest global setup: one moto server for the project's test files (each uses names of its own). */
export default async function provideMoto(project: TestProject) {
  const moto = await startMotoServer();
  project.provide("motoEndpoint", moto.endpoint);
  return moto.stop;
}
