import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Cached for five minutes: a rotated Slack token is picked up without a redeploy, without a call per event. */
const CACHE_SECONDS = 300;

/** A JSON secret from Secrets Manager; an empty or non-JSON secret reads as an empty object. With a client, read through it (uncached). */
export async function readJsonSecret(secretId: string, client?: SecretsManagerClient): Promise<unknown> {
  const raw = await readRaw(secretId, client);
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

/** Through the given client (uncached), else Powertools' (cached). */
const readRaw = (secretId: string, client?: SecretsManagerClient) => (client ? readWith(client, secretId) : readCached(secretId));

/** Powertools' parameters, loaded at the first read: a function that is turned away before it needs a secret never loads them. */
async function readCached(secretId: string): Promise<string | undefined> {
  const { getSecret } = await import("./sdk/parameters-secrets");
  return getSecret<string>(secretId, { maxAge: CACHE_SECONDS });
}

async function readWith(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  const { GetSecretValueCommand } = await import("./sdk/secrets-manager");
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

/**
 * A secret's value for a request header (canary/http.ts SecretReader): its SecretString, or one field of it read
 * as JSON. An empty secret or a missing field is an error that names it, never a header sent empty.
 */
export function secretValues(client?: SecretsManagerClient) {
  return async (secretId: string, key?: string): Promise<string> => {
    // A binary secret (SecretBinary) comes back from Powertools as bytes: not a header's value.
    const raw: unknown = await readRaw(secretId, client);
    if (typeof raw !== "string" || !raw) throw new Error(`${secretId} has no string value`);
    if (key === undefined) return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${secretId} is not JSON, so it has no key ${key}`);
    }
    const value = (parsed as Record<string, unknown> | null)?.[key];
    if (typeof value !== "string" || !value) throw new Error(`${secretId} has no string field ${key}`);
    return value;
  };
}
