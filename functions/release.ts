/**
 * Custom::Release — how one `sst deploy` ships a new image through CodeDeploy.
 * CloudFormation's provider framework calls `onEvent` once, then `isComplete`
 * every 30 s until it returns true or throws (the stack update then fails and
 * CloudFormation rolls back). See docs/releases.md.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { awsReleases, createReleaseHandlers } from "@hands-off-ops/core/release/provider";
import middy from "@middy/core";

const logger = new Logger({ serviceName: "release" });
const releases = awsReleases();
const handlers = createReleaseHandlers(() => releases, logger);

export const onEvent = middy(handlers.onEvent).use(injectLambdaContext(logger));
export const isComplete = middy(handlers.isComplete).use(injectLambdaContext(logger));
