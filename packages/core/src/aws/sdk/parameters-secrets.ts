export { getSecret } from "@aws-lambda-powertools/parameters/secrets";
