import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import type { Clients } from "./clients";

/** The state table's DynamoDB client, or how to get it at its first use (one per cold start, shared by a function's stores). */
export type StateTableClient = DynamoDBClient | (() => Promise<DynamoDBClient>);

/**
 * The state table's client, made at its first use (endpoint from AWS_ENDPOINT_URL_DYNAMODB when set): a given one
 * (the console's), or its own in the named region (the console's audit) or the Lambda's.
 */
export function stateTable(clients: Clients = {}, region?: string): () => Promise<DynamoDBClient> {
  let client = clients.dynamoDB;
  return async () => {
    if (client) return client;
    const sdk = await import("./sdk/dynamodb");
    client ??= new sdk.DynamoDBClient(region ? { region } : {});
    return client;
  };
}

/**
 * A store's document client over the state table, made at its first call. Undefined values are left out: DynamoDB's
 * marshalling refuses them, and a record's optional fields are often absent.
 */
export function stateTableDocuments(table: StateTableClient): () => Promise<DynamoDBDocument> {
  let documents: DynamoDBDocument | undefined;
  return async () => {
    if (documents) return documents;
    const client = typeof table === "function" ? await table() : table;
    const lib = await import("./sdk/dynamodb-documents");
    documents ??= lib.DynamoDBDocument.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return documents;
  };
}

/** A write refused by its ConditionExpression (the SDK's ConditionalCheckFailedException, told by its name). */
export const isConditionFailed = (error: unknown): boolean => error instanceof Error && error.name === "ConditionalCheckFailedException";
