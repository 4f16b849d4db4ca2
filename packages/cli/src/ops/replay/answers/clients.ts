import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { RDSClient } from "@aws-sdk/client-rds";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SyntheticsClient } from "@aws-sdk/client-synthetics";
import type { Clients } from "@hands-off-ops/core/aws/clients";
import type { SlackPayload } from "@hands-off-ops/core/notify/render/slack";
import { recordingFetch } from "../http";
import type { Recorder } from "../recorder";
import { OFFLINE, recordingClient } from "../recording";
import { applicationAutoScalingAnswers } from "./application-auto-scaling";
import { cloudWatchAnswers } from "./cloudwatch";
import { codeDeployAnswers } from "./codedeploy";
import { dynamoDbAnswers } from "./dynamodb";
import { ecsAnswers } from "./ecs";
import { elbv2Answers } from "./elbv2";
import { eventBridgeAnswers } from "./eventbridge";
import { rdsAnswers } from "./rds";
import { schedulerAnswers } from "./scheduler";
import { secretsManagerAnswers } from "./secrets-manager";
import { type SlackPosted, type SlackWorld, slackRoutes } from "./slack";
import { snsAnswers } from "./sns";
import { syntheticsAnswers } from "./synthetics";
import type { World } from "./world";

export interface SlackSide {
  world: SlackWorld;
  posted: SlackPosted[];
  mode: "web-api" | "webhook" | "off";
  /** What a response URL replaced the pressed message with. */
  shown?: SlackPayload[];
  /** What a response URL told only the presser. */
  told?: string[];
  signingSecret?: string;
}

/**
 * Every client a handler's adapters use, each a real SDK client in the stage's region that records its calls and
 * answers them from the world (answers/*.ts) instead of sending them; and Slack's HTTP through a recording fetch.
 */
export function recordingClients(world: World, recorder: Recorder, options: { slack: SlackSide; report?: boolean }): Clients {
  const config = { ...OFFLINE, region: world.region };
  return {
    applicationAutoScaling: recordingClient(new ApplicationAutoScalingClient(config), applicationAutoScalingAnswers(world), recorder),
    cloudWatch: recordingClient(new CloudWatchClient(config), cloudWatchAnswers(world), recorder),
    codeDeploy: recordingClient(new CodeDeployClient(config), codeDeployAnswers(world, { report: options.report }), recorder),
    dynamoDB: recordingClient(new DynamoDBClient(config), dynamoDbAnswers(world.table), recorder),
    ecs: recordingClient(new ECSClient(config), ecsAnswers(world), recorder),
    elbv2: recordingClient(new ElasticLoadBalancingV2Client(config), elbv2Answers(), recorder),
    eventBridge: recordingClient(new EventBridgeClient(config), eventBridgeAnswers(world), recorder),
    rds: recordingClient(new RDSClient(config), rdsAnswers(world), recorder),
    scheduler: recordingClient(new SchedulerClient(config), schedulerAnswers(world), recorder),
    secretsManager: recordingClient(
      new SecretsManagerClient(config),
      secretsManagerAnswers({ mode: options.slack.mode, signingSecret: options.slack.signingSecret }),
      recorder,
    ),
    sns: recordingClient(new SNSClient(config), snsAnswers(world), recorder),
    synthetics: recordingClient(new SyntheticsClient(config) as never, syntheticsAnswers(), recorder),
    fetch: recordingFetch(slackRoutes(options.slack.world, options.slack.posted, options.slack), recorder),
  };
}
