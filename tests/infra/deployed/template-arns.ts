import type { CloudFormationTemplate } from "../../../packages/cli/src/synth/synth-stage";

/**
 * Turns the CloudFormation expressions of a stage's templates into the strings
 * AWS would see once deployed, so that IAM statements can be checked against
 * the Service Authorization Reference and simulated.
 *
 * A resource without an explicit name gets the name CloudFormation would
 * generate for it (stack name + logical id): it differs between stages, as the
 * real ones do. Return values follow the CloudFormation User Guide's "Return
 * values" of each resource type; a type not listed here stops the test with its
 * name, so that a new resource in a policy is never checked by guesswork.
 */
export interface StageTemplates {
  stage: string;
  stacks: { name: string; template: CloudFormationTemplate }[];
  /** The account and region the stage deploys to. */
  account: string;
  region: string;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = CloudFormationTemplate & {
  Parameters?: Record<string, { Default?: unknown }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
};

/** The account the offline synth writes where deploy would ask STS (packages/cli/src/synth/synth-stage.ts). */
const SYNTH_PLACEHOLDER_ACCOUNT = "000000000000";

interface ReturnValues {
  /** The property that names the resource, when the template sets it. */
  nameProperty?: string;
  ref: (r: Named) => string;
  attributes?: Record<string, (r: Named) => string>;
}
interface Named {
  name: string;
  arn: (service: string, resource: string, region?: string, account?: string) => string;
  property: (key: string) => string | undefined;
}

const RETURN_VALUES: Record<string, ReturnValues> = {
  "AWS::SNS::Topic": { nameProperty: "TopicName", ref: (r) => r.arn("sns", r.name), attributes: { TopicName: (r) => r.name } },
  "AWS::SQS::Queue": {
    nameProperty: "QueueName",
    ref: (r) => `https://sqs.region.amazonaws.com/account/${r.name}`,
    attributes: { Arn: (r) => r.arn("sqs", r.name), QueueName: (r) => r.name },
  },
  "AWS::DynamoDB::Table": {
    nameProperty: "TableName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("dynamodb", `table/${r.name}`) },
  },
  "AWS::DynamoDB::GlobalTable": {
    nameProperty: "TableName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("dynamodb", `table/${r.name}`) },
  },
  "AWS::SecretsManager::Secret": { nameProperty: "Name", ref: (r) => r.arn("secretsmanager", `secret:${r.name}-AbCdEf`) },
  // Ref of an attachment is the ARN of the secret it attaches (its SecretId).
  "AWS::SecretsManager::SecretTargetAttachment": { ref: (r) => r.property("SecretId") ?? "" },
  "AWS::KMS::Key": {
    ref: () => "1234abcd-12ab-34cd-56ef-1234567890ab",
    attributes: { Arn: (r) => r.arn("kms", `key/${r.name.toLowerCase()}`) },
  },
  "AWS::Logs::LogGroup": {
    nameProperty: "LogGroupName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => `${r.arn("logs", `log-group:${r.name}`)}:*` },
  },
  "AWS::Lambda::Function": {
    nameProperty: "FunctionName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("lambda", `function:${r.name}`) },
  },
  "AWS::IAM::Role": {
    nameProperty: "RoleName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("iam", `role/${r.name}`, "") },
  },
  "AWS::ECS::Cluster": {
    nameProperty: "ClusterName",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("ecs", `cluster/${r.name}`) },
  },
  "AWS::ECS::Service": {
    nameProperty: "ServiceName",
    ref: (r) => r.arn("ecs", `service/${r.property("Cluster") ?? "cluster"}/${r.name}`),
    attributes: { Name: (r) => r.name },
  },
  "AWS::CodeDeploy::Application": { nameProperty: "ApplicationName", ref: (r) => r.name },
  "AWS::CodeDeploy::DeploymentGroup": { nameProperty: "DeploymentGroupName", ref: (r) => r.name },
  "AWS::CodeDeploy::DeploymentConfig": { nameProperty: "DeploymentConfigName", ref: (r) => r.name },
  "AWS::StepFunctions::StateMachine": {
    nameProperty: "StateMachineName",
    ref: (r) => r.arn("states", `stateMachine:${r.name}`),
    attributes: { Name: (r) => r.name },
  },
  "AWS::RDS::DBInstance": {
    nameProperty: "DBInstanceIdentifier",
    ref: (r) => r.name.toLowerCase(),
    attributes: {
      DBInstanceArn: (r) => r.arn("rds", `db:${r.name.toLowerCase()}`),
      // The secret RDS makes for a managed master password: "rds!db-" and the instance's resource id (RDS User Guide,
      // "Password management with Amazon RDS and AWS Secrets Manager"), then Secrets Manager's 6-character suffix.
      "MasterUserSecret.SecretArn": (r) => r.arn("secretsmanager", "secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-AbCdEf"),
    },
  },
  "AWS::EC2::VPC": { ref: () => "vpc-0a1b2c3d4e5f67890", attributes: { DefaultSecurityGroup: () => "sg-0a1b2c3d4e5f67890" } },
  "AWS::Scheduler::ScheduleGroup": {
    nameProperty: "Name",
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn("scheduler", `schedule-group/${r.name}`) },
  },
  "AWS::S3::Bucket": {
    nameProperty: "BucketName",
    ref: (r) => r.name.toLowerCase(),
    attributes: { Arn: (r) => `arn:aws:s3:::${r.name.toLowerCase()}` },
  },
  // A load balancer's listeners, rules and target groups carry ids ELB makes; their form is the documented one.
  "AWS::ElasticLoadBalancingV2::Listener": {
    ref: (r) => r.arn("elasticloadbalancing", `listener/app/${r.name.slice(0, 32)}/0123456789abcdef/fedcba9876543210`),
  },
  "AWS::ElasticLoadBalancingV2::ListenerRule": {
    ref: (r) =>
      r.arn("elasticloadbalancing", `listener-rule/app/${r.name.slice(0, 32)}/0123456789abcdef/fedcba9876543210/0a1b2c3d4e5f6789`),
  },
  "AWS::ElasticLoadBalancingV2::TargetGroup": {
    nameProperty: "Name",
    ref: (r) => r.arn("elasticloadbalancing", `targetgroup/${r.name.slice(0, 32)}/0123456789abcdef`),
  },
  "AWS::IAM::OIDCProvider": { ref: (r) => r.arn("iam", "oidc-provider/token.actions.githubusercontent.com", "") },
  // Ref of a dashboard is its name (the notifier's DASHBOARD_NAME).
  "AWS::CloudWatch::Dashboard": { nameProperty: "DashboardName", ref: (r) => r.name },
};

export class TemplateResolver {
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(readonly stage: StageTemplates) {
    for (const { name, template } of stage.stacks) {
      for (const output of Object.values((template as Template).Outputs ?? {})) {
        if (output.Export) this.exports.set(this.resolve(name, output.Export.Name), { stack: name, value: output.Value });
      }
    }
  }

  /** The string a CloudFormation expression of stack `stack` becomes when deployed. */
  resolve(stack: string, value: unknown): string {
    if (typeof value === "string") return value.replaceAll(SYNTH_PLACEHOLDER_ACCOUNT, this.stage.account);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
    const entries = Object.entries(value);
    if (entries.length !== 1) throw new Error(`${stack}: ${JSON.stringify(value)} is not one intrinsic function`);
    const [fn, args] = entries[0] as [string, unknown];
    switch (fn) {
      case "Ref":
        return this.ref(stack, args as string);
      case "Fn::GetAtt": {
        const [logicalId, attribute] = typeof args === "string" ? (args.split(".") as [string, string]) : (args as [string, string]);
        return this.attribute(stack, logicalId, attribute);
      }
      case "Fn::Join": {
        const [separator, parts] = args as [string, unknown[]];
        return parts.map((part) => this.resolve(stack, part)).join(separator);
      }
      case "Fn::Sub": {
        const [text, variables] = typeof args === "string" ? [args, {}] : (args as [string, Record<string, unknown>]);
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          name in variables
            ? this.resolve(stack, variables[name])
            : name.includes(".")
              ? this.attribute(stack, ...(name.split(".") as [string, string]))
              : this.ref(stack, name),
        );
      }
      case "Fn::Select": {
        const [index, list] = args as [number, unknown];
        const items = Array.isArray(list) ? list.map((item) => this.resolve(stack, item)) : this.resolve(stack, list).split(",");
        const item = items[Number(index)];
        if (item === undefined) throw new Error(`${stack}: Fn::Select ${index} of ${items.length} items`);
        return item;
      }
      case "Fn::Split": {
        const [separator, text] = args as [string, unknown];
        return this.resolve(stack, text).split(separator).join(",");
      }
      case "Fn::ImportValue": {
        const name = this.resolve(stack, args);
        const exported = this.exports.get(name);
        if (!exported) throw new Error(`${stack} imports ${name}, which no stack of ${this.stage.stage} exports`);
        return this.resolve(exported.stack, exported.value);
      }
      default:
        throw new Error(`${stack}: cannot resolve ${fn} in ${JSON.stringify(value)}`);
    }
  }

  private ref(stack: string, logicalId: string): string {
    switch (logicalId) {
      case "AWS::Partition":
        return "aws";
      case "AWS::Region":
        return this.stage.region;
      case "AWS::AccountId":
        return this.stage.account;
      case "AWS::StackName":
        return stack;
      case "AWS::URLSuffix":
        return "amazonaws.com";
    }
    const template = this.template(stack);
    const parameter = template.Parameters?.[logicalId];
    if (parameter) return this.resolve(stack, parameter.Default ?? `${logicalId}-value`);
    return this.returnValues(stack, logicalId).ref(this.named(stack, logicalId));
  }

  private attribute(stack: string, logicalId: string, attribute: string): string {
    const values = this.returnValues(stack, logicalId);
    const read = values.attributes?.[attribute];
    if (!read) throw new Error(`${stack}/${logicalId}: no return value ${attribute} known for ${this.resource(stack, logicalId).Type}`);
    return read(this.named(stack, logicalId));
  }

  private returnValues(stack: string, logicalId: string): ReturnValues {
    const { Type } = this.resource(stack, logicalId);
    const values = RETURN_VALUES[Type];
    if (!values) throw new Error(`${stack}/${logicalId}: add the return values of ${Type} to tests/infra/iam/template-arns.ts`);
    return values;
  }

  private named(stack: string, logicalId: string): Named {
    const resource = this.resource(stack, logicalId);
    const values = this.returnValues(stack, logicalId);
    const property = (key: string) => {
      const value = resource.Properties?.[key];
      return value === undefined ? undefined : this.resolve(stack, value);
    };
    // CloudFormation's generated names start with the stack name: they differ between stages, as deployed ones do.
    const name = (values.nameProperty && property(values.nameProperty)) || `${stack}-${logicalId}`;
    const arn = (service: string, resourcePart: string, region = this.stage.region, account = this.stage.account) =>
      `arn:aws:${service}:${region}:${account}:${resourcePart}`;
    return { name, arn, property };
  }

  private resource(stack: string, logicalId: string): Resource {
    const resource = this.template(stack).Resources?.[logicalId] as Resource | undefined;
    if (!resource) throw new Error(`${stack} has no resource ${logicalId}`);
    return resource;
  }

  private template(stack: string): Template {
    const found = this.stage.stacks.find((s) => s.name === stack);
    if (!found) throw new Error(`${this.stage.stage} has no stack ${stack}`);
    return found.template as Template;
  }
}
