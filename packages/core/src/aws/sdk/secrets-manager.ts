export { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
