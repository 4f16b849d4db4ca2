import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { MOTO_CLIENT } from "./moto-server";

/**
 * The state table on moto's DynamoDB (the run's moto server, see
 * moto-server.ts): a table shaped like the Automation stack's (pk, sk,
 * on demand). Each test file uses a table name of its own.
 */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** Drops and recreates the table: every test starts empty. */
  freshTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export const LOCAL_CREDENTIALS = MOTO_CLIENT.credentials;

export async function motoDynamo(): Promise<LocalDynamo> {
  const endpoint = inject("motoEndpoint");
  const client = new DynamoDBClient({ ...MOTO_CLIENT, endpoint });
  return {
    endpoint,
    client,
    async freshTable(name) {
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" },
          ],
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
        }),
      );
    },
    async close() {
      client.destroy();
    },
  };
}
