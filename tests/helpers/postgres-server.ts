import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
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

export interface PostgresCluster {
  url: string;
  stop(): void;
  /** A fast restart on the same port: every connection is ended, as in a failover or maintenance. */
  restart(): void;
  /** The same restart without blocking this process: load generated here keeps running through it. */
  restartInBackground(): Promise<void>;
  /** SIGSTOP to the server and every backend: connections stay open and nothing answers, as a frozen host. */
  freeze(): void;
  thaw(): void;
  /** The cluster's directory (server.crt and the like go here), owned by the server's user. */
  dataDir: string;
}

/**
 * A throw-away PostgreSQL cluster. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 * `settings` are extra server settings (`-c name=value`), e.g. ssl=on.
 */
export async function startPostgresCluster(
  settings: Record<string, string> = {},
  prepare?: (dataDir: string) => void,
): Promise<PostgresCluster> {
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
  prepare?.(dataDir);
  const extra = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`);
  const signalAll = (signal: "SIGSTOP" | "SIGCONT") => {
    const postmaster = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const backends = spawnSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean)
      .map(Number);
    // Stop the postmaster first (no new backends), resume it last.
    const order = signal === "SIGSTOP" ? [postmaster, ...backends] : [...backends, postmaster];
    for (const pid of order) process.kill(pid, signal);
  };
  run("pg_ctl", [
    "-D",
    dataDir,
    "-w",
    "-l",
    path.join(dataDir, "server.log"),
    "-o",
    [`-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`, ...extra].join(" "),
    "start",
  ]);
  // -l again: without it the new server would write to our pipe, and execFileSync would wait for it forever.
  const restartArgs = ["-D", dataDir, "-l", path.join(dataDir, "server.log"), "-m", "fast", "-w", "restart"];
  return {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    dataDir,
    restart: () => run("pg_ctl", restartArgs),
    restartInBackground: async () => {
      await (asRoot
        ? promisify(execFile)("runuser", ["-u", "postgres", "--", path.join(bin, "pg_ctl"), ...restartArgs])
        : promisify(execFile)(path.join(bin, "pg_ctl"), restartArgs));
    },
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    stop: () => {
      run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function uid(user: string): number {
  return Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
}
