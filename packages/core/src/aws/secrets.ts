import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Cached for five minutes: a rotated Slack token is picked up without a redeploy, without a call per event. */
const CACHE_SECONDS = 300;

/** A JSON secret from Secrets Manager; an empty or non-JSON secret reads as an empty object. With a client, read through it (uncached). */
export async function readJsonSecret(secretId: string, client?: SecretsManagerClient): Promise<unknown> {
  const raw = client ? await readWith(client, secretId) : await getSecret<string>(secretId, { maxAge: CACHE_SECONDS });
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

async function readWith(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}
