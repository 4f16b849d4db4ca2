/**
 * Smoke checks that send headers (canary.smoke[].headers): written out, or read from Secrets Manager by the adapter
 * when it sends. The request goes to a real HTTP server on loopback, so what is checked is what the server received;
 * Secrets Manager is aws-sdk-client-mock answering GetSecretValue as the API does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { secretValues } from "@hands-off-ops/core/aws/secrets";
import { sampleBoth } from "@hands-off-ops/core/canary/comparison";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import { runSmokeSuite } from "@hands-off-ops/core/canary/smoke";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";

const TOKEN = "s3cr3t-token-value";
const secretsManager = mockClient(SecretsManagerClient);
let server: Server;
let baseUrl: string;
let received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push(request.headers);
    const signedIn = request.headers.authorization === `Bearer ${TOKEN}`;
    response.writeHead(signedIn || request.url === "/health" ? 200 : 401).end(signedIn ? "hello" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  received = [];
  secretsManager.reset();
});

const check = (headers: Record<string, unknown>) =>
  stageSettings("staging", {
    canary: {
      smoke: [
        { name: "signed in", method: "GET", path: "/", body: null, expectStatus: 200, bodyMatch: "hello", latencyBudgetMs: 2000, headers },
      ],
    } as never,
  }).canary.smoke;
const run = (
  checks: ReturnType<typeof check>,
  http = fetchHttp({ secrets: secretValues(new SecretsManagerClient({ region: "eu-central-1" })) }),
) => runSmokeSuite(checks, http, { baseUrl, retries: 0, minDelayMs: 10, signal: AbortSignal.timeout(5000) });

describe("smoke check headers", () => {
  it("sends a header read from a plain secret, with its prefix", async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: "prod/smoke-token" }).resolves({ SecretString: TOKEN });
    const [result] = await run(check({ authorization: { secret: "prod/smoke-token", prefix: "Bearer " }, accept: "text/plain" }));
    expect(result).toMatchObject({ passed: true });
    expect(received[0]).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: "text/plain" });
  });

  it("reads one field of a JSON secret", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ token: TOKEN, user: "smoke" }) });
    const [result] = await run(check({ authorization: { secret: "prod/smoke", key: "token", prefix: "Bearer " } }));
    expect(result).toMatchObject({ passed: true });
  });

  it("fails the check, naming the secret and never its value, when the secret cannot be read", async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const [result] = await run(check({ authorization: { secret: "prod/missing", prefix: "Bearer " } }));
    expect(result?.passed).toBe(false);
    expect(result?.detail).toBe(
      "no response: header authorization: secret prod/missing could not be read: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    );
    expect(received).toEqual([]);
  });

  it("fails the check when the JSON secret lacks the key, without sending an empty header", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ user: "smoke" }) });
    const [result] = await run(check({ authorization: { secret: "prod/smoke", key: "token" } }));
    expect(result?.detail).toContain("secret prod/smoke (key token) could not be read: Error: prod/smoke has no string field token");
    expect(received).toEqual([]);
  });

  it("never sends nor repeats a secret that holds a line break: fetch's own refusal would quote the value", async () => {
    const leaky = "tok-SECRET\nInjected: yes";
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: leaky });
    const [result] = await run(check({ authorization: { secret: "prod/smoke-token", prefix: "Bearer " } }));
    expect(result?.detail).toBe(
      "no response: header authorization: secret prod/smoke-token holds what a header cannot carry (a line break or control character)",
    );
    expect(JSON.stringify(result)).not.toContain("tok-SECRET");
    expect(received).toEqual([]);
  });

  it("sends the comparison's headers with every request of its sample, to both versions", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
    const { comparison } = stageSettings("staging", {
      canary: { comparison: { path: "/", headers: { authorization: { secret: "prod/smoke-token", prefix: "Bearer " } } } } as never,
    }).canary;
    const http = fetchHttp({ secrets: secretValues(new SecretsManagerClient({ region: "eu-central-1" })) });
    const sample = await sampleBoth(
      http,
      { ...comparison, requests: 20, warmupRequests: 0, concurrency: 2 },
      {
        greenUrl: baseUrl,
        blueUrl: baseUrl,
        signal: AbortSignal.timeout(5000),
      },
    );
    expect(received).toHaveLength(40);
    expect(received.every((headers) => headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.stringify(sample)).not.toContain(TOKEN);
  });

  it("cannot send a secret header where no secret reader is given", async () => {
    const [result] = await run(check({ authorization: { secret: "prod/smoke-token" } }), fetchHttp());
    expect(result?.detail).toBe(
      "no response: header authorization: secret prod/smoke-token cannot be read here (no Secrets Manager access)",
    );
  });

  it("sends no header by default: a check without headers is the same request as before", async () => {
    const [result] = await run(check({}));
    expect(result).toMatchObject({ passed: false, detail: expect.stringMatching(/^status 401/) });
    expect(received[0]?.authorization).toBeUndefined();
  });

  it.each([
    [{ "bad header": "x" }, /canary\.smoke\.0\.headers\.bad header: .*must be an HTTP header name \(RFC 9110 token\)$/m],
    [{ "x-two-lines": "a\r\nInjected: yes" }, /must be one line/],
    [{ authorization: { secret: "" } }, /canary\.smoke\.0\.headers\.authorization/],
    [{ authorization: { secret: "s", value: "inline" } }, /canary\.smoke\.0\.headers\.authorization/],
    [
      { authorization: { secret: "arn:aws:secretsmanager:eu-central-1:111111111111:secret:prod/smoke-AbCdEf" } },
      /must be the secret's name, not its ARN/,
    ],
    [{ authorization: { secret: "prod/smoke", prefix: "Bearer\r\nX-Injected: 1 " } }, /prefix: must be one line/],
  ])("refuses %j at synth", (headers, message) => {
    expect(() => check(headers)).toThrow(message);
  });
});
