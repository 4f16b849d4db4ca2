import { CloudFormationClient, DescribeStackResourcesCommand } from "@aws-sdk/client-cloudformation";

/** The physical name of a deployed stage's state table, from its Automation stack. */
export async function stateTableOf(
  stage: string,
  appName: string,
  region: string,
  client = new CloudFormationClient({ region }),
): Promise<string> {
  const stackName = `${stage}-${appName}-Automation`;
  const { StackResources } = await client.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const table = StackResources?.find(
    (resource) => resource.ResourceType === "AWS::DynamoDB::GlobalTable" && resource.LogicalResourceId?.startsWith("State"),
  );
  if (!table?.PhysicalResourceId) throw new Error(`${stackName} has no state table`);
  return table.PhysicalResourceId;
}
