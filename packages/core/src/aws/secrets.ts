import { getSecret } from "@aws-lambda-powertools/parameters/secrets";

/** Cached for five minutes: a rotated Slack token is picked up without a redeploy, without a call per event. */
const CACHE_SECONDS = 300;

/** A JSON secret from Secrets Manager; an empty or non-JSON secret reads as an empty object. */
export async function readJsonSecret(secretId: string): Promise<unknown> {
  const raw = await getSecret<string>(secretId, { maxAge: CACHE_SECONDS });
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}
