import { CloudFormationClient, CreateStackCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/** What an account admin sets up once, before any deploy: `cdk bootstrap` and SST's bootstrap stack, on moto. */
export interface Bootstrap {
  cdkBucket: string;
  sstBucket: string;
}

const CDK_QUALIFIER = "hnb659fds";
/** The bootstrap template version of aws-cdk-lib 2.x's CDKToolkit (SST requires 14 or later). */
const CDK_BOOTSTRAP_VERSION = "28";
/** node_modules/sst/bootstrap.js LATEST_VERSION. */
const SST_BOOTSTRAP_VERSION = "7.4";

const bucketStack = (bucketName: string, outputs: Record<string, string>) =>
  JSON.stringify({
    Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: bucketName } } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
  });

/** Creates the two bootstrap stacks with the outputs SST reads, and the CDK version parameter, as an admin. */
export async function bootstrapAccount(endpoint: string, region: string, account: string): Promise<Bootstrap> {
  const client = { region, endpoint, credentials: { accessKeyId: "AKIAADMINBOOTSTRAP01", secretAccessKey: "admin" } };
  const cfn = new CloudFormationClient(client);
  const cdkBucket = `cdk-${CDK_QUALIFIER}-assets-${account}-${region}`;
  const sstBucket = `sstbootstrap-${region}-drill`;
  await new SSMClient(client).send(
    new PutParameterCommand({
      Name: `/cdk-bootstrap/${CDK_QUALIFIER}/version`,
      Value: CDK_BOOTSTRAP_VERSION,
      Type: "String",
      Overwrite: true,
    }),
  );
  for (const [StackName, TemplateBody] of [
    ["CDKToolkit", bucketStack(cdkBucket, { BucketName: cdkBucket, BootstrapVersion: CDK_BOOTSTRAP_VERSION })],
    ["SSTBootstrap", bucketStack(sstBucket, { BucketName: sstBucket, Version: SST_BOOTSTRAP_VERSION })],
  ] as const) {
    await cfn.send(new CreateStackCommand({ StackName, TemplateBody }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName });
  }
  return { cdkBucket, sstBucket };
}
