import type { CloudFormationTemplate } from "../../../packages/cli/src/synth/synth-stage";
import { type StageTemplates, TemplateResolver } from "./template-arns";

type Resource = { Type: string; Properties?: Record<string, unknown> };

/**
 * The ARNs, as deployed, of what one stage's automation works on, and the
 * role of each of its functions: what a table of "may / may not" is written
 * against.
 */
export function stageResources(stage: StageTemplates) {
  const resolver = new TemplateResolver(stage);
  const stackNamed = (suffix: string) => {
    const found = stage.stacks.find((s) => s.name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`${stage.stage} has no ${suffix} stack`);
    return found;
  };
  const logicalIdOf = (suffix: string, matches: (r: Resource) => boolean) => {
    const { name, template } = stackNamed(suffix);
    const found = Object.entries((template as CloudFormationTemplate).Resources as Record<string, Resource>).find(([, r]) => matches(r));
    return found && { stack: name, logicalId: found[0], resource: found[1] };
  };
  const ofType = (suffix: string, type: string) => {
    const found = logicalIdOf(suffix, (r) => r.Type === type);
    if (!found) throw new Error(`${stage.stage}'s ${suffix} stack has no ${type}`);
    return found;
  };
  const ref = ({ stack, logicalId }: { stack: string; logicalId: string }) => resolver.resolve(stack, { Ref: logicalId });
  const arnOf = ({ stack, logicalId }: { stack: string; logicalId: string }) =>
    resolver.resolve(stack, { "Fn::GetAtt": [logicalId, "Arn"] });
  const arn = (service: string, resource: string) => `arn:aws:${service}:${stage.region}:${stage.account}:${resource}`;

  /** The role of the function whose handler is `handler` (e.g. functions/rollback.handler). */
  const roleOf = (suffix: string, handler: string) => {
    const fn = logicalIdOf(suffix, (r) => r.Type === "AWS::Lambda::Function" && r.Properties?.Handler === handler);
    if (!fn) throw new Error(`${stage.stage} has no function ${handler}`);
    const [roleId] = (fn.resource.Properties as { Role: { "Fn::GetAtt": [string, string] } }).Role["Fn::GetAtt"];
    return { stack: fn.stack, role: roleId };
  };

  const application = ref(ofType("Service", "AWS::CodeDeploy::Application"));
  const group = ref(ofType("Service", "AWS::CodeDeploy::DeploymentGroup"));
  const scheduleGroup = (suffix: string) => ref(ofType(suffix, "AWS::Scheduler::ScheduleGroup"));
  const hasScheduleGroup = (suffix: string) =>
    Object.values(stackNamed(suffix).template.Resources ?? {}).some((r) => (r as Resource).Type === "AWS::Scheduler::ScheduleGroup");

  return {
    account: stage.account,
    deploymentGroup: arn("codedeploy", `deploymentgroup:${application}/${group}`),
    application: arn("codedeploy", `application:${application}`),
    table: arnOf(ofType("Automation", "AWS::DynamoDB::GlobalTable")),
    topic: ref(ofType("Observability", "AWS::SNS::Topic")),
    service: ref(ofType("Service", "AWS::ECS::Service")),
    cluster: arnOf(ofType("Service", "AWS::ECS::Cluster")),
    databaseIdentifier: ref(ofType("Database", "AWS::RDS::DBInstance")),
    database: arn("rds", `db:${ref(ofType("Database", "AWS::RDS::DBInstance"))}`),
    watchSchedule: hasScheduleGroup("Service") ? arn("scheduler", `schedule/${scheduleGroup("Service")}/watch-d-ABC123`) : undefined,
    sleepSchedule: hasScheduleGroup("Automation")
      ? arn("scheduler", `schedule/${scheduleGroup("Automation")}/recheck-202611301900`)
      : undefined,
    roles: {
      notify: roleOf("Automation", "functions/notify.handler"),
      rollback: roleOf("Automation", "functions/rollback.handler"),
      hook: roleOf("Service", "functions/canary-hook.handler"),
      releaseIsComplete: roleOf("Service", "functions/release.isComplete"),
      /** Only where the stage sleeps at night. */
      schedule: hasScheduleGroup("Automation") ? roleOf("Automation", "functions/schedule.handler") : undefined,
    },
  };
}
