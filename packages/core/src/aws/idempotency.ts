import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { OnceInInvocation } from "../lazy";

/** How long a completed effect is remembered: longer than EventBridge and Lambda keep retrying an event (24 h). */
const REMEMBER_SECONDS = 7 * 24 * 60 * 60;

/**
 * At most once per key, with Powertools idempotency records in the state
 * table (pk = "idempotency#<scope>", sk = hashed key, TTL expiresAt). A
 * failed effect leaves no record, so its retry runs it again.
 */
export function idempotentOnce(tableName: string, scope: string, client: DynamoDBClient): OnceInInvocation {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: "pk",
    sortKeyAttr: "sk",
    staticPkValue: `idempotency#${scope}`,
    expiryAttr: "expiresAt",
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: "key", expiresAfterSeconds: REMEMBER_SECONDS });
  return {
    registerContext: (context) => config.registerLambdaContext(context),
    run<T extends object>(key: string, effect: () => Promise<T>): Promise<T> {
      // The stored result must be plain JSON: DynamoDB's marshalling refuses undefined values, and that
      // refusal would come after the effect happened, turning a done effect into a failed one.
      const asJson = async () => JSON.parse(JSON.stringify(await effect())) as T;
      const once = makeIdempotent(async (_request: { key: string }) => asJson(), { persistenceStore, config, keyPrefix: scope });
      return once({ key }) as Promise<T>;
    },
  };
}
