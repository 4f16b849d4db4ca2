export { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
