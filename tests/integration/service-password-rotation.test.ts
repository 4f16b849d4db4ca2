import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate } from "../../service/src/migrations";
import { type PostgresCluster, startPostgresCluster } from "../helpers/postgres-server";
import { type RunningService, startService } from "../helpers/processes";
import { MOTO_CLIENT } from "../peers/moto-server";
import { connectPostgres } from "./test-databases";

/**
 * RDS rotates the master password in Secrets Manager every 7 days, and ECS set PGPASSWORD only when the task started:
 * before PGSECRET_ARN, every connection a running task opened after a rotation was refused (28P01) until the task was
 * replaced. Here on a real PostgreSQL that checks passwords (scram-sha-256) and moto's Secrets Manager.
 */
describe("the service follows a rotated database password", () => {
  let cluster: PostgresCluster;
  let service: RunningService;
  let secretArn: string;
  let poll: { id: string; options: { id: string }[] };
  const role = "voter";
  const secrets = new SecretsManagerClient({ ...MOTO_CLIENT, endpoint: inject("motoEndpoint") });
  const putSecret = (password: string) =>
    secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ username: role, password }) }));

  const asSuperuser = async (sql: string) => {
    const admin = await connectPostgres(cluster.url.replace(/\/postgres$/, "/rotation"), { DATABASE_POOL_SIZE: "1" });
    try {
      return await admin.query(sql);
    } finally {
      await admin.close();
    }
  };
  /** RDS's rotation: the server gets the new password; the running service's connections are ended, forcing new ones. */
  const rotateOnServer = async (password: string) => {
    await asSuperuser(`ALTER ROLE ${role} PASSWORD '${password}'`);
    const ended = await asSuperuser(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'rotation' AND usename = '${role}'`,
    );
    expect(ended.rows.length).toBeGreaterThanOrEqual(1);
    await sleep(300); // the pool drops the ended clients when their FATAL arrives
  };

  const api = (route: string, init: RequestInit = {}) =>
    fetch(`${service.url}${route}`, {
      ...init,
      headers: { "content-type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(15_000),
    });
  const vote = (key: string) =>
    api(`/api/polls/${poll.id}/votes`, {
      method: "POST",
      body: JSON.stringify({ optionId: poll.options[0]?.id }),
      headers: { "idempotency-key": key },
    });
  const answer = async (response: Response) => [response.status, ((await response.json()) as { message?: string }).message];
  const UNAVAILABLE = [503, "The database is unavailable; try again in a few seconds."];

  beforeAll(async () => {
    // The superuser connects without a password (the tests' admin); the service's role must give the right one.
    cluster = await startPostgresCluster({}, (dataDir) =>
      writeFileSync(
        path.join(dataDir, "pg_hba.conf"),
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all root 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
      ),
    );
    const admin = await connectPostgres(cluster.url, { DATABASE_POOL_SIZE: "1" });
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first'`);
    await admin.query(`CREATE DATABASE rotation OWNER ${role}`);
    await admin.close();
    const port = new URL(cluster.url).port;
    const owner = await connectPostgres(`postgres://${role}:first@127.0.0.1:${port}/rotation`);
    await migrate(owner);
    await owner.close();

    const created = await secrets.send(
      new CreateSecretCommand({ Name: `rds-master-${randomUUID()}`, SecretString: JSON.stringify({ username: role, password: "first" }) }),
    );
    secretArn = created.ARN as string;
    service = await startService({
      PGHOST: "127.0.0.1",
      PGPORT: port,
      PGDATABASE: "rotation",
      PGUSER: role,
      // What the task started with; the secret must win over it.
      PGPASSWORD: "not-this-one",
      PGSECRET_ARN: secretArn,
      AWS_REGION: MOTO_CLIENT.region,
      AWS_ACCESS_KEY_ID: MOTO_CLIENT.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CLIENT.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: inject("motoEndpoint"),
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: "4",
      DATABASE_CONNECT_TIMEOUT_MS: "2000",
    });
    const response = await api("/api/polls", { method: "POST", body: JSON.stringify({ question: "Rotated?", options: ["yes", "no"] }) });
    expect(response.status, service.logs()).toBe(201);
    poll = (await response.json()) as typeof poll;
  });
  afterAll(async () => {
    service?.child.kill("SIGKILL");
    cluster?.stop();
  });

  it("connects with the secret's password, not PGPASSWORD", async () => {
    expect((await vote(randomUUID())).status).toBe(201);
    expect(await (await api("/ready")).text()).toBe("READY");
  });

  it("after ALTER ROLE and PutSecretValue, the one refused connection answers 503 and the next requests are served", async () => {
    // Four votes at once leave four clients in the pool for the rotation to end.
    expect((await Promise.all([0, 1, 2, 3].map(() => vote(randomUUID())))).map((r) => r.status)).toEqual([201, 201, 201, 201]);
    await rotateOnServer("second");
    await putSecret("second");
    const key = randomUUID();
    // The cached password is refused once (28P01): a 503 the client retries, and the refusal makes the service read again.
    expect(await answer(await vote(key))).toEqual(UNAVAILABLE);
    expect((await vote(key)).status).toBe(201);
    expect((await vote(randomUUID())).status).toBe(201);
    const results = await api(`/api/polls/${poll.id}/results`);
    expect(results.status).toBe(200);
    expect(JSON.stringify(await results.json())).toContain(`"votes":7`);
    expect(service.child.exitCode).toBeNull();
  });

  it("while the secret still holds the old password, requests answer 503 (no crash); once it is updated they are served", async () => {
    await rotateOnServer("third");
    for (let attempt = 0; attempt < 3; attempt++) expect(await answer(await vote(randomUUID()))).toEqual(UNAVAILABLE);
    expect(await answer(await api(`/api/polls/${poll.id}/results`))).toEqual(UNAVAILABLE);
    expect([(await api("/health")).status, service.child.exitCode]).toEqual([200, null]);
    expect(service.logs()).toMatch(/password authentication failed/);

    await putSecret("third");
    // Reads again at most every 5 s under refusals: the first vote served comes within that interval and a little.
    const key = randomUUID();
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 201; attempt++) {
      status = (await vote(key)).status;
      if (status !== 201) await sleep(250);
    }
    expect(status).toBe(201);
    expect((await api(`/api/polls/${poll.id}/results`)).status).toBe(200);
  });
});
