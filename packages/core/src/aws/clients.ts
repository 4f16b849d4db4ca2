import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** One DynamoDB client per cold start for everything that uses the state table (endpoint from AWS_ENDPOINT_URL_DYNAMODB when set). */
export function stateTableClient(): DynamoDBClient {
  return new DynamoDBClient({});
}
