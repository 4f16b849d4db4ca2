import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { postgresBinaries, requirePeers } from "../peers/required";
import { freePort } from "./processes";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of a PostgreSQL server for the tests, as its superuser. */
    postgresUrl: string;
  }
}

/**
 * A real PostgreSQL for the integration tests: $TEST_DATABASE_URL when set,
 * otherwise a throw-away cluster from the Debian `postgresql` package on a
 * free loopback port, stopped and deleted after the run.
 */
export default async function startPostgres(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("postgresUrl", process.env.TEST_DATABASE_URL);
    return;
  }
  const cluster = await startPostgresCluster();
  project.provide("postgresUrl", cluster.url);
  return cluster.stop;
}

/** A throw-away PostgreSQL cluster. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. */
export async function startPostgresCluster(): Promise<{ url: string; stop: () => void }> {
  requirePeers("PostgreSQL");
  const bin = postgresBinaries() as string;
  const asRoot = userInfo().uid === 0;
  const user = asRoot ? "postgres" : userInfo().username;
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { stdio: "pipe" })
      : execFileSync(path.join(bin, command), args, { stdio: "pipe" });

  const dataDir = mkdtempSync(path.join(tmpdir(), "pg-test-"));
  if (asRoot) chownSync(dataDir, uid("postgres"), uid("postgres"));
  const port = await freePort();
  run("initdb", ["-D", dataDir, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  run("pg_ctl", [
    "-D",
    dataDir,
    "-w",
    "-l",
    path.join(dataDir, "server.log"),
    "-o",
    `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    stop: () => {
      run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function uid(user: string): number {
  return Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
}
