import { type DeployAccess, DeployAccessSchema, type DeployableStage } from "@hands-off-ops/core/settings/deploy-access";
import { ArnFormat, CfnOutput, Duration, type Stack } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import type { StackContext } from "sst/constructs";
import { readOverridesFile, StageSettingsError } from "./config";
import { scheduleFunctionName } from "./schedule";

const GITHUB_TOKENS = "token.actions.githubusercontent.com";
/** The CDK bootstrap qualifier SST deploys with (the default). */
const CDK_QUALIFIER = "hnb659fds";

/**
 * What GitHub Actions may do in this AWS account, deployed once per account
 * by an admin: the GitHub OIDC provider, and per stage a deploy role that only
 * a job of this repository running in the GitHub environment of that name can
 * assume (no long-lived keys anywhere). A role can do little itself: it
 * assumes the CDK bootstrap roles that `sst deploy` uses, reads what SST and
 * the smoke check need, and nothing else. Also: every image pushed to ECR in
 * this account is scanned.
 */
export function GitHubAccess({ stack, app }: StackContext) {
  const access = deployAccess(stack.stage);
  const provider = access.existingProviderArn
    ? iam.OidcProviderNative.fromOidcProviderArn(stack, "GitHub", access.existingProviderArn)
    : new iam.OidcProviderNative(stack, "GitHub", { url: `https://${GITHUB_TOKENS}`, clientIds: ["sts.amazonaws.com"] });

  /** A role that only a job of this repository in the GitHub environment `environment` can assume, and its output. */
  const githubRole = (
    purpose: "Deploy" | "Review",
    stage: DeployableStage,
    environment: string,
    props: { description: string; statements: iam.PolicyStatement[]; wildcards: string },
  ) => {
    const id = `${stage.charAt(0).toUpperCase()}${stage.slice(1)}`;
    const role = new iam.Role(stack, `${purpose}${id}`, {
      roleName: `${app.name}-${purpose.toLowerCase()}-${stage}`,
      description: props.description,
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_TOKENS}:aud`]: "sts.amazonaws.com",
          [`${GITHUB_TOKENS}:sub`]: `repo:${access.repository}:environment:${environment}`,
        },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    for (const statement of props.statements) role.addToPolicy(statement);
    NagSuppressions.addResourceSuppressions(role, [{ id: "AwsSolutions-IAM5", reason: props.wildcards }], true);
    new CfnOutput(stack, `${purpose}Role${id}`, {
      value: role.roleArn,
      description: `vars.AWS_${purpose.toUpperCase()}_ROLE_ARN of the GitHub environment "${environment}"`,
    });
  };

  for (const stage of access.stages) {
    const what = stage === "preview" ? "pull-request previews (pr-<number>)" : `stage ${stage}`;
    githubRole("Deploy", stage, stage, {
      description: `GitHub Actions deploys ${what} of ${access.repository}`,
      statements: deployStatements(stack, app.name, stage),
      wildcards:
        "Wildcards stand for names AWS or CloudFormation generate (bootstrap roles and bucket, stack ids, function suffixes) and for the stage's own stacks, parameters and deployment group; every pattern is bound to this account, region and stage.",
    });
    // Read-only, for the job that shows reviewers what a deploy changes before they approve it: an environment
    // without reviewers ("<stage>-review"), so that it runs first and can reach nothing it could change.
    githubRole("Review", stage, `${stage}-review`, {
      description: `GitHub Actions reads the deployed templates of ${what} (sst diff) for ${access.repository}`,
      statements: readStatements(stack, app.name, stage, ["cloudformation:GetTemplate"]),
      wildcards:
        "Wildcards stand for stack ids and the stage's own stacks and parameters, bound to this account, region and stage; every action only reads.",
    });
  }

  new ecr.CfnRegistryScanningConfiguration(stack, "ScanOnPush", {
    scanType: "BASIC",
    rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
  });
}

/** The `github-access` entry of the account's settings file, validated. */
export function deployAccess(stage: string): DeployAccess {
  const parsed = DeployAccessSchema.safeParse(readOverridesFile(stage));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(entry)"}: ${issue.message}`);
  throw new StageSettingsError(
    `Stage "${stage}": the "${stage}" entry of the settings file (ops.settings.json or $OPS_SETTINGS_FILE) must say who deploys what, e.g. {"${stage}": {"repository": "acme/hands-off-ops", "stages": ["dev", "staging", "preview"]}}\n${lines.join("\n")}`,
  );
}

const stagePatternOf = (stage: DeployableStage) => (stage === "preview" ? "pr-*" : stage);
const arnIn =
  (stack: Stack) =>
  (service: string, resource: string, resourceName: string, arnFormat = ArnFormat.SLASH_RESOURCE_NAME) =>
    stack.formatArn({ service, resource, resourceName, arnFormat });

/** What `sst deploy` and `sst diff` read: the stage's stacks and outputs, SST's and CDK's bootstrap facts. */
function readStatements(stack: Stack, appName: string, stage: DeployableStage, extraStackReads: string[] = []): iam.PolicyStatement[] {
  const stagePattern = stagePatternOf(stage);
  const arn = arnIn(stack);
  const stackArns = [`${stagePattern}-${appName}-*`, "CDKToolkit", "SSTBootstrap"].map((name) =>
    arn("cloudformation", "stack", `${name}/*`),
  );
  return [
    new iam.PolicyStatement({
      sid: "ReadStacksAndOutputs",
      actions: [
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStackResources",
        ...extraStackReads,
      ],
      resources: stackArns,
    }),
    new iam.PolicyStatement({
      sid: "ReadSstAndCdkBootstrap",
      actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      resources: [
        arn("ssm", "parameter", `cdk-bootstrap/${CDK_QUALIFIER}/version`),
        arn("ssm", "parameter", `sst/${appName}/${stagePattern}/*`),
        arn("ssm", "parameter", `sst/${appName}/.fallback/*`),
      ],
    }),
    // ListBucket takes the bucket's ARN and GetObject an object's (Service Authorization Reference).
    new iam.PolicyStatement({
      sid: "ListSstMetadata",
      actions: ["s3:ListBucket"],
      resources: [`arn:${stack.partition}:s3:::sstbootstrap-*`],
    }),
    new iam.PolicyStatement({
      sid: "ReadSstMetadata",
      actions: ["s3:GetObject"],
      resources: [`arn:${stack.partition}:s3:::sstbootstrap-*/*`],
    }),
  ];
}

function deployStatements(stack: Stack, appName: string, stage: DeployableStage): iam.PolicyStatement[] {
  const stagePattern = stagePatternOf(stage);
  const arn = arnIn(stack);
  const statements = [
    new iam.PolicyStatement({
      sid: "DeployThroughCdkBootstrapRoles",
      actions: ["sts:AssumeRole", "sts:TagSession"],
      resources: [`arn:${stack.partition}:iam::${stack.account}:role/cdk-${CDK_QUALIFIER}-*-role-${stack.account}-${stack.region}`],
    }),
    ...readStatements(stack, appName, stage),
    new iam.PolicyStatement({
      sid: "ReportTheRelease",
      actions: ["codedeploy:ListDeployments", "codedeploy:GetDeployment"],
      resources: [arn("codedeploy", "deploymentgroup", `${stagePattern}-${appName}-Service/*`, ArnFormat.COLON_RESOURCE_NAME)],
    }),
  ];
  if (stage !== "prod") {
    statements.push(
      new iam.PolicyStatement({
        sid: "KeepTheStageAwakeWhileDeploying",
        actions: ["lambda:InvokeFunction"],
        resources: [arn("lambda", "function", scheduleFunctionName(stagePattern, appName), ArnFormat.COLON_RESOURCE_NAME)],
      }),
    );
  }
  return statements;
}
