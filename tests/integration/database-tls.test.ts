import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../service/src/db";
import { type PostgresCluster, startPostgresCluster, uid } from "../helpers/postgres-server";
import { requirePeers } from "../peers/required";
import { connectPostgres } from "./test-databases";

const openssl = (dir: string, ...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/**
 * The service's TLS to PostgreSQL against a real server with a certificate from a CA the test made: verify-full
 * accepts the right CA and name, and refuses another CA, another name, and the RDS roots (this is not RDS).
 */
describe("TLS to the database is verified", () => {
  let cluster: PostgresCluster;
  let certs: string;
  const opened: Database[] = [];

  // A certificate authority made here, another one, and a server certificate the first signs for "localhost" only.
  beforeAll(async () => {
    requirePeers("OpenSSL");
    certs = mkdtempSync(path.join(tmpdir(), "pg-tls-"));
    for (const ca of ["ca", "other-ca"]) {
      openssl(
        certs,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=test ${ca}`,
        "-keyout",
        `${ca}.key`,
        "-out",
        `${ca}.crt`,
      );
    }
    openssl(certs, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
    writeFileSync(path.join(certs, "server.ext"), "subjectAltName=DNS:localhost\n");
    openssl(
      certs,
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "server.ext",
      "-out",
      "server.crt",
    );
    cluster = await startPostgresCluster({ ssl: "on", ssl_cert_file: "server.crt", ssl_key_file: "server.key" }, (dataDir) => {
      for (const file of ["server.crt", "server.key"]) {
        copyFileSync(path.join(certs, file), path.join(dataDir, file));
        chmodSync(path.join(dataDir, file), 0o600);
        if (userInfo().uid === 0) chownSync(path.join(dataDir, file), uid("postgres"), uid("postgres"));
      }
    });
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    cluster?.stop();
    rmSync(certs, { recursive: true, force: true });
  });

  const connect = async (host: string, environment: Record<string, string>) => {
    const url = new URL(cluster.url);
    url.hostname = host;
    const db = await connectPostgres(url.toString(), { DATABASE_POOL_SIZE: "1", DATABASE_CONNECT_TIMEOUT_MS: "5000", ...environment });
    opened.push(db);
    return db;
  };
  const encrypted = async (db: Database) =>
    (await db.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0]?.ssl;

  it("connects, encrypted, with verify-full when the CA and the host name are right", async () => {
    const db = await connect("localhost", { PGSSLMODE: "verify-full", PGSSLROOTCERT: path.join(certs, "ca.crt") });
    expect(await encrypted(db)).toBe(true);
  });

  it("refuses a server whose certificate another CA signed", async () => {
    const db = await connect("localhost", { PGSSLMODE: "verify-full", PGSSLROOTCERT: path.join(certs, "other-ca.crt") });
    await expect(db.query("SELECT 1")).rejects.toThrow(/self.signed|unable to (get|verify)|certificate/i);
  });

  it("refuses, with verify-full, a certificate for another name; verify-ca checks the chain only", async () => {
    const wrongName = await connect("127.0.0.1", { PGSSLMODE: "verify-full", PGSSLROOTCERT: path.join(certs, "ca.crt") });
    await expect(wrongName.query("SELECT 1")).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list|does not match/i);
    const chainOnly = await connect("127.0.0.1", { PGSSLMODE: "verify-ca", PGSSLROOTCERT: path.join(certs, "ca.crt") });
    expect(await encrypted(chainOnly)).toBe(true);
  });

  it("refuses this server with the RDS roots the image carries (DATABASE_CA=aws-rds): they are really used", async () => {
    const db = await connect("localhost", { PGSSLMODE: "verify-full", DATABASE_CA: "aws-rds" });
    await expect(db.query("SELECT 1")).rejects.toThrow(/self.signed|unable to (get|verify)|certificate/i);
  });

  it("encrypts without verifying with require (libpq's meaning), for set-ups without a CA", async () => {
    const db = await connect("127.0.0.1", { PGSSLMODE: "require" });
    expect(await encrypted(db)).toBe(true);
  });
});
