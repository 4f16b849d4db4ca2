/**
 * The deploy workflow's smoke checks and its wait for a woken stage, run from inside the VPC (the firewall blocks
 * GitHub's runners as a hosting provider's addresses). Invoked synchronously by the deploy role only; answers a
 * report the workflow prints and judges.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { secretValues } from "@hands-off-ops/core/aws/secrets";
import { DeploySmokeRequest, readDeploySmokeEnvironment, runDeploySmoke } from "@hands-off-ops/core/canary/deploy-smoke";
import { fetchHttp } from "@hands-off-ops/core/canary/http";
import middy from "@middy/core";

const logger = new Logger({ serviceName: "deploy-smoke" });

export const handler = middy(async (event: unknown) => {
  const request = DeploySmokeRequest.safeParse(event ?? {});
  if (!request.success) {
    logger.error("Not a deploy smoke request", { reason: request.error.issues[0]?.message, event });
    return { rejected: true, passed: false, reason: request.error.issues[0]?.message };
  }
  const report = await runDeploySmoke(request.data, readDeploySmokeEnvironment(process.env), fetchHttp({ secrets: secretValues() }));
  logger.info("Deploy smoke", { ...report });
  return report;
}).use(injectLambdaContext(logger));
