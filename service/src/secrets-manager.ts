import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * The one file that talks to Secrets Manager: reads the password out of an RDS-managed secret's JSON
 * (`{"username","password"}`). Region, credentials (the task role) and endpoint come from the SDK's usual
 * environment (AWS_REGION, the ECS container credentials, AWS_ENDPOINT_URL_SECRETS_MANAGER in tests).
 */
export function secretPasswordReader(secretArn: string): () => Promise<string> {
  const client = new SecretsManagerClient({});
  return async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const password = SecretString ? (JSON.parse(SecretString) as { password?: unknown }).password : undefined;
    if (typeof password !== "string") throw new Error(`secret ${secretArn} holds no "password" string`);
    return password;
  };
}
