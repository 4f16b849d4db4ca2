import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * One DynamoDB client per cold start for everything that uses the state table (endpoint from
 * AWS_ENDPOINT_URL_DYNAMODB when set); the console names the stage's region, a Lambda runs in it.
 */
export function stateTableClient(region?: string): DynamoDBClient {
  return new DynamoDBClient(region ? { region } : {});
}
