import type { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";
import type { OncePort } from "../notify/ports";
import type { StateTableClient } from "./state-table";

/** How long a completed effect is remembered: longer than EventBridge and Lambda keep retrying an event (24 h). */
const REMEMBER_SECONDS = 7 * 24 * 60 * 60;

/** Powertools idempotency needs the invocation's context (its deadline bounds an in-progress record). */
export interface OnceInInvocation extends OncePort {
  registerContext(context: Context): void;
}

interface Loaded {
  makeIdempotent: typeof makeIdempotent;
  persistenceStore: DynamoDBPersistenceLayer;
  config: IdempotencyConfig;
}

/**
 * At most once per key, with Powertools idempotency records in the state
 * table (pk = "idempotency#<scope>", sk = hashed key, TTL expiresAt). A
 * failed effect leaves no record, so its retry runs it again. Powertools is
 * loaded at the first effect (an ignored event never needs it), and is then
 * handed the latest invocation's context.
 */
export function idempotentOnce(tableName: string, scope: string, table: StateTableClient): OnceInInvocation {
  let context: Context | undefined;
  let loaded: Loaded | undefined;
  const load = async (): Promise<Loaded> => {
    if (loaded) return loaded;
    const client = typeof table === "function" ? await table() : table;
    const [idempotency, { DynamoDBPersistenceLayer }] = await Promise.all([
      import("./sdk/idempotency"),
      import("./sdk/idempotency-dynamodb"),
    ]);
    if (loaded) return loaded;
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: client,
      keyAttr: "pk",
      sortKeyAttr: "sk",
      staticPkValue: `idempotency#${scope}`,
      expiryAttr: "expiresAt",
    });
    const config = new idempotency.IdempotencyConfig({ eventKeyJmesPath: "key", expiresAfterSeconds: REMEMBER_SECONDS });
    if (context) config.registerLambdaContext(context);
    loaded = { makeIdempotent: idempotency.makeIdempotent, persistenceStore, config };
    return loaded;
  };
  return {
    registerContext(latest) {
      context = latest;
      loaded?.config.registerLambdaContext(latest);
    },
    async run<T extends object>(key: string, effect: () => Promise<T>): Promise<T> {
      const { makeIdempotent, persistenceStore, config } = await load();
      // The stored result must be plain JSON: DynamoDB's marshalling refuses undefined values, and that
      // refusal would come after the effect happened, turning a done effect into a failed one.
      const asJson = async () => JSON.parse(JSON.stringify(await effect())) as T;
      const once = makeIdempotent(async (_request: { key: string }) => asJson(), { persistenceStore, config, keyPrefix: scope });
      return once({ key }) as Promise<T>;
    },
  };
}
