export { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
