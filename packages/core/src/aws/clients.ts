import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SyntheticsClient } from "@aws-sdk/client-synthetics";

/**
 * The clients a handler's adapters send their calls with, when someone else makes them: the console's recording
 * clients (packages/cli/src/ops/replay). In Lambda none is given, and each adapter makes its own at first use.
 */
export interface Clients {
  applicationAutoScaling?: ApplicationAutoScalingClient;
  cloudWatch?: CloudWatchClient;
  codeDeploy?: CodeDeployClient;
  dynamoDB?: DynamoDBClient;
  ecs?: ECSClient;
  elbv2?: ElasticLoadBalancingV2Client;
  eventBridge?: EventBridgeClient;
  lambda?: LambdaClient;
  rds?: RDSClient;
  scheduler?: SchedulerClient;
  secretsManager?: SecretsManagerClient;
  sns?: SNSClient;
  synthetics?: SyntheticsClient;
  /** Slack's HTTP: the Web API, incoming webhooks and response URLs. */
  fetch?: typeof fetch;
}

/**
 * An adapter's SDK client, made at its first use: the given one (the console's), or one made from the SDK's module
 * (core/aws/sdk/), loaded then. Concurrent first calls share one: nothing is awaited between the load and `??=`.
 */
export function clientAtFirstUse<Sdk, Client>(
  load: () => Promise<Sdk>,
  make: (sdk: Sdk) => Client,
  given?: Client,
): () => Promise<{ sdk: Sdk; client: Client }> {
  let client = given;
  return async () => {
    const sdk = await load();
    client ??= make(sdk);
    return { sdk, client };
  };
}
