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
