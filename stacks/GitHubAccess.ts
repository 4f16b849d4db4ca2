import {
  DEPLOYABLE_STAGES,
  type DeployAccess,
  DeployAccessSchema,
  type DeployableStage,
  deploySessionSeconds,
  longestDeployMinutes,
  releaseTimesOf,
} from "@hands-off-ops/core/settings/deploy-access";
import { ArnFormat, CfnOutput, Duration, type Stack } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import type { StackContext } from "sst/constructs";
import { readOverridesFile, StageSettingsError, stageSettings } from "./config";
import { deploySmokeFunctionName } from "./deploy-smoke";
import { scheduleFunctionName } from "./schedule";
import { sharedNetworkPath } from "./shared-network";
import { wildcardReason } from "./wildcard-actions";

const GITHUB_TOKENS = "token.actions.githubusercontent.com";
/** The CDK bootstrap qualifier SST deploys with (the default). */
const CDK_QUALIFIER = "hnb659fds";

/** A preview stage's name, for its settings: every pr-<number> takes the same ("*" entry). */
const PREVIEW_STAGE = "pr-1";

/**
 * What GitHub Actions may do in this AWS account, deployed once per account
 * by an admin: the GitHub OIDC provider, and per stage a deploy role that only
 * a job of this repository running in the GitHub environment of that name can
 * assume (no long-lived keys anywhere). SST v2 sends the stack operations
 * with the role's own credentials (node_modules/sst/stacks/deploy.js: Create/
 * Update/DeleteStack, passing the bootstrap's cfn-exec-role as RoleARN); the
 * CDK toolkit assumes the bootstrap's deploy and publishing roles for the
 * assets. So a role may change only its own stage's stacks, pass only the
 * execution role and only to CloudFormation, assume only those bootstrap
 * roles, and read what SST and the workflow need. Also: every image pushed to
 * ECR in this account is scanned.
 */
export function GitHubAccess({ stack, app }: StackContext) {
  const access = deployAccess(stack.stage);
  const sessionSeconds = deploySession();
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
      // A deploy waits out the longest release; reading templates for reviewers takes minutes.
      maxSessionDuration: purpose === "Deploy" ? Duration.seconds(sessionSeconds) : Duration.hours(1),
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
      wildcards: `Wildcards stand for names AWS or CloudFormation generate (SST's bootstrap bucket, stack ids, asset keys) and for the stage's own stacks, parameters and deployment group; every pattern is bound to this account, region and stage. ${wildcardReason(["cloudformation:ListImports"])}`,
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

/**
 * The session every deploy role grants: the longest deploy of any stage (one workflow, one
 * role-duration-seconds, deploys them all), from each stage's settings as the settings file leaves them.
 */
export function deploySession(): number {
  const longest = DEPLOYABLE_STAGES.map((name) => longestDeployMinutes(releaseTimesOf(settingsOf(name))));
  const session = deploySessionSeconds(longest);
  if ("problem" in session) throw new StageSettingsError(`github-access: ${session.problem}`);
  return session.seconds;
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
    ...sharedNetworkReads(stack, appName, stage),
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

/**
 * A stage in another stage's network names that stage's SSM parameters as template parameters
 * (AWS::SSM::Parameter::Value<String>). CloudFormation reads them when CreateStack or UpdateStack is called ("the
 * values that exist in Parameter Store at the time the operation is run", "under the caller's AWS account":
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html), and a caller
 * without ssm:GetParameters gets "ValidationError: AccessDenied. User doesn't have permission to call
 * ssm:GetParameters" even with an execution role (https://github.com/aws/aws-cdk/issues/20959).
 */
function sharedNetworkReads(stack: Stack, appName: string, stage: DeployableStage): iam.PolicyStatement[] {
  const owner = settingsOf(stage).network.shared;
  if (!owner) return [];
  return [
    new iam.PolicyStatement({
      sid: "ReadSharedNetwork",
      actions: ["ssm:GetParameters"],
      resources: [arnIn(stack)("ssm", "parameter", `${sharedNetworkPath(appName, owner).slice(1)}*`)],
    }),
  ];
}

const settingsOf = (stage: DeployableStage) => stageSettings(stage === "preview" ? PREVIEW_STAGE : stage);

function deployStatements(stack: Stack, appName: string, stage: DeployableStage): iam.PolicyStatement[] {
  const stagePattern = stagePatternOf(stage);
  const arn = arnIn(stack);
  const bootstrapRole = (purpose: string) =>
    `arn:${stack.partition}:iam::${stack.account}:role/cdk-${CDK_QUALIFIER}-${purpose}-role-${stack.account}-${stack.region}`;
  const ownStacks = arn("cloudformation", "stack", `${stagePattern}-${appName}-*/*`);
  const executionRole = bootstrapRole("cfn-exec");
  const statements = [
    // The toolkit's own session for bootstrap checks, and the publishing roles the asset manifest names for file
    // and image assets (cdk-assets uploads and pushes with those, never with the caller's credentials).
    new iam.PolicyStatement({
      sid: "AssumeCdkBootstrapRoles",
      actions: ["sts:AssumeRole"],
      resources: ["deploy", "file-publishing", "image-publishing"].map(bootstrapRole),
    }),
    ...readStatements(stack, appName, stage),
    new iam.PolicyStatement({
      sid: "CreateAndUpdateOwnStacksThroughTheExecutionRole",
      actions: ["cloudformation:CreateStack", "cloudformation:UpdateStack"],
      resources: [ownStacks],
      conditions: { StringEquals: { "cloudformation:RoleArn": executionRole } },
    }),
    // sst remove, and a deploy after a failed first create (ROLLBACK_COMPLETE), send DeleteStack without RoleARN:
    // CloudFormation deletes with the role the stack was last changed with.
    new iam.PolicyStatement({ sid: "DeleteOwnStacks", actions: ["cloudformation:DeleteStack"], resources: [ownStacks] }),
    new iam.PolicyStatement({
      sid: "PassTheExecutionRoleToCloudFormation",
      actions: ["iam:PassRole"],
      resources: [executionRole],
      conditions: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } },
    }),
    // CloudFormation reads TemplateURL with the caller's permissions: the CDK bootstrap grants its deploy role the
    // same (bootstrap-template.yaml, CliStagingBucket).
    new iam.PolicyStatement({
      sid: "ReadTemplatesFromTheStagingBucket",
      actions: ["s3:GetObject"],
      resources: [`arn:${stack.partition}:s3:::cdk-${CDK_QUALIFIER}-assets-${stack.account}-${stack.region}/*`],
    }),
    // Before an update SST asks which stacks still import an export the new template drops.
    new iam.PolicyStatement({ sid: "ListImportsOfExports", actions: ["cloudformation:ListImports"], resources: ["*"] }),
    new iam.PolicyStatement({
      sid: "WriteSstAppMetadata",
      actions: ["s3:PutObject", "s3:DeleteObject"],
      resources: [`arn:${stack.partition}:s3:::sstbootstrap-*/appMetadata/app.${appName}/stage.${stagePattern}.json`],
    }),
    new iam.PolicyStatement({
      sid: "ReportTheRelease",
      actions: ["codedeploy:ListDeployments", "codedeploy:GetDeployment"],
      resources: [arn("codedeploy", "deploymentgroup", `${stagePattern}-${appName}-Service/*`, ArnFormat.COLON_RESOURCE_NAME)],
    }),
    new iam.PolicyStatement({
      sid: "SmokeTheStageFromInsideItsVpc",
      actions: ["lambda:InvokeFunction"],
      resources: [arn("lambda", "function", deploySmokeFunctionName(stagePattern, appName), ArnFormat.COLON_RESOURCE_NAME)],
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
